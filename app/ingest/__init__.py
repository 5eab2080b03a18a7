"""The Flask-free front of the upload pipeline: safety checks on the bytes, a bounded read of
the workbook's cells, and normalisation of values as people type them."""
