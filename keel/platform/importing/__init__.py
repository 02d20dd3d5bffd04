"""The import pipeline every spreadsheet importer runs on (issue 10 item 4): the report
(:mod:`.report`), column matching (:mod:`.columns`), the pipeline itself (:mod:`.pipeline`), the
uploads kept between an import page's dry run and its confirmation (:mod:`.staging`) and the
import pages (:mod:`.pages`). Reading the file is :mod:`keel.platform.spreadsheets`. See
docs/import.md."""
