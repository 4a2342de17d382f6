"""The monthly ops record form (运维记录表) and the office's summary: model + month → ReportData → md/csv/xlsx."""
