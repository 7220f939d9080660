// Building DOM for the plain pages (governance, audit): elements with attributes and children,
// text always as text nodes (nothing from the hub is parsed as HTML).
//
//   el("li", { class: "act", dataset: { kind }, text: "concurred" })
//   el("p", {}, "Signed bytes: ", el("code", { text: bytes }))

export const $ = (id) => document.getElementById(id);

/** attrs: class, dataset (object), text (textContent), anything else as an attribute (true: ""; null/false: left out). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}
