"""The site: pages generated from the repository inside `mkdocs build`."""
