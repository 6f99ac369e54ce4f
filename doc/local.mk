# doc: manual pages and guides that belong to no single program fragment
# (each program's own page is listed in its src/cmd/*.mk).
dist_man_MANS += doc/socasma-reindex.8
dist_doc_DATA += doc/SCALING.md
