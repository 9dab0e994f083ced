"""The parts of ``bench/load.py``: seeding an organisation, hostile files, the reviewer and uploader
clients with their statistics. A package (not a script) so ``bench/run.py`` does not run it alone."""
