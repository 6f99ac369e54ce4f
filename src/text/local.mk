# src/text: sources, programs and tests of this part of the tree.
