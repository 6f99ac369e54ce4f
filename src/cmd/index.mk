# src/cmd/index.mk: build rules for this part (owned by one module; see Makefile.am).
