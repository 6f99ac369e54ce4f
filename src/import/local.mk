# src/import: streaming readers of the archive's export formats (JSON Lines,
# WordPress WXR; plain, gzip or standard input). Public header: import.h.
noinst_LIBRARIES += src/import/libimport.a
src_import_libimport_a_SOURCES = src/import/import.h src/import/internal.h \
	src/import/source.c src/import/lines.c src/import/util.c src/import/expand.c \
	src/import/entities.c src/import/entities-table.h src/import/html.c \
	src/import/jsonl.c src/import/wxr.c src/import/reader.c
