# src/text: the bilingual analyser (libutf8proc, libstemmer). Public header: text.h.
noinst_LIBRARIES += src/text/libtext.a
src_text_libtext_a_SOURCES = src/text/text.h src/text/text-internal.h \
	src/text/utf8.c src/text/arena.c src/text/stopwords.c src/text/stem.c \
	src/text/analyse.c src/text/glossary.c
