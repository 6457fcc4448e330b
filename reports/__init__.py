"""Reports over the typed book: compliance tables, notices, the Fava extension, exports."""
