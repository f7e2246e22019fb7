/* The kit's pages do not typeset maths; this stands in for MathJax 2 so no page asks a CDN for it.
   Voila's mathjax2 plugin loads this file (mathjax_url in jupyter-config/kit.json) and then configures
   MathJax.Hub: the calls it makes are answered here and do nothing, so the console stays clean. */
(function () {
  function nothing() {}
  var hub = {
    config: {}, Config: nothing, Configured: nothing, Queue: nothing, Typeset: nothing,
    Register: { StartupHook: nothing, MessageHook: nothing, LoadHook: nothing }
  };
  window.MathJax = window.MathJax || {
    Hub: hub, Ajax: {}, InputJax: { TeX: { resetEquationNumbers: nothing } },
    Callback: { After: nothing }, typesetPromise: function () { return Promise.resolve(); }
  };
})();
