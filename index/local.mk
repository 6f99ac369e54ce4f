# index: the project's own sample archive (about 30 posts written for the
# project, in both input formats) and the `make run` script. The database
# `make run` builds (index/socasma.db) lives in the build tree's index/.
EXTRA_DIST += \
	index/sample/sample.jsonl \
	index/sample/sample.wxr.xml \
	index/sample/README.md \
	index/run.sh
