/**
 * Styles set through the DOM rather than a `style` attribute. Why: the page's content policy
 * refuses style attributes written in its HTML, and a page's first frame is HTML from the
 * server; when the app takes that frame over it keeps the elements as they are, so a style
 * given as an attribute would never apply. A ref sets it on the element, there and later alike.
 */

/** A ref that sets `style` (CSS property names: `flex-grow`, `top`) on its element. */
export function styleRef(style: Record<string, string>): (el: HTMLElement | null) => void {
  return (el) => {
    if (!el) return;
    for (const [name, value] of Object.entries(style)) el.style.setProperty(name, value);
  };
}
