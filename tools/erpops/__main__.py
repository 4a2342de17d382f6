from erpops.cli import main

raise SystemExit(main())
