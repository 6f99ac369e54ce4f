# doc: manual pages and guides that belong to no single program fragment
# (each program's own page is listed in its src/cmd/*.mk).
dist_man_MANS += doc/socasma-reindex.8
# Shards and replicas (issue 17).
dist_doc_DATA += doc/SCALING.md
