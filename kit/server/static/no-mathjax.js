/* The kit's pages do not typeset maths; this stands in for MathJax so no page asks a CDN for it. */
