// Starts ReDoc (the bundle from drf-spectacular-sidecar) on the API docs page, under the
// Content-Security-Policy: no inline script, settings read from the page's JSON block.
(function () {
  "use strict";

  // ReDoc 2.5 draws Redocly's logo from cdn.redoc.ly at the foot of its menu and has no
  // option to leave it out. Nothing may leave the host (the policy would refuse it, with
  // a console error): that image gets an empty address instead, fails to load, and ReDoc
  // drops it itself (its onError), leaving the "API docs by Redocly" link as text. React
  // sets an image's address twice, as an attribute and then as the `src` property.
  const OFF_HOST_LOGO = "https://cdn.redoc.ly/";
  const NO_IMAGE = "data:,";
  const offHost = (element, value) =>
    element instanceof HTMLImageElement && String(value).startsWith(OFF_HOST_LOGO);

  const setAttribute = Element.prototype.setAttribute;
  Element.prototype.setAttribute = function (name, value) {
    const off = name === "src" && offHost(this, value);
    return setAttribute.call(this, name, off ? NO_IMAGE : value);
  };
  const src = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, "src");
  Object.defineProperty(HTMLImageElement.prototype, "src", {
    configurable: true,
    enumerable: src.enumerable,
    get() {
      return src.get.call(this);
    },
    set(value) {
      src.set.call(this, offHost(this, value) ? NO_IMAGE : value);
    },
  });

  const container = document.getElementById("redoc-container");
  const settings = JSON.parse(document.getElementById("redoc-settings").textContent);
  window.Redoc.init(container.dataset.schemaUrl, settings, container);
})();
