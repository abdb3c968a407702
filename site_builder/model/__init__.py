"""The position and unit model: schema, YAML loader and validator.

It imports neither Flask nor MkDocs, so the catalogue build, the web forms and the spreadsheet
import can all call it.
"""
