"""Workbooks that Safer Returns writes: blank standard returns and the consolidated workbook."""
