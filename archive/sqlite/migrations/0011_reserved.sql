-- Reserved: issue 19 numbers its migrations 0011 and 0012, and this branch
-- (several workers, 0012) was written beside the one that owns 0011. When
-- both are merged this placeholder gives way to the real 0011.
SELECT 1;
