-- Reserved for another part of issue 17, which brings its own 0009; this
-- placeholder lets 0010 apply on its own branch. Drop it at the merge.
SELECT 1;
