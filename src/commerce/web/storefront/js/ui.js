// Small DOM helpers shared by the pages: building elements, money, and showing problems.
//
// Text always goes in through textContent (never innerHTML), so nothing a shop or a
// shopper typed can run as markup.

import { ApiError, graphql, storage, storefrontConfig } from "./api.js";

/** An element with attributes and children (strings become text nodes). */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2), value);
    } else if (name === "dataset") {
      Object.assign(element.dataset, value);
    } else {
      element.setAttribute(name, value === true ? "" : value);
    }
  }
  element.append(...children.flat(Infinity).filter((child) => child !== null && child !== undefined && child !== false));
  return element;
}

/** "$34.99" from a Money ({amount: "34.99", currencyCode: "USD"}); amounts stay strings until shown. */
export function money(value) {
  if (!value) return "–";
  return new Intl.NumberFormat(undefined, { style: "currency", currency: value.currencyCode }).format(
    Number(value.amount),
  );
}

/** True when a Money is more than zero, read from its decimal string (no float arithmetic). */
export function positive(value) {
  return Boolean(value) && /[1-9]/.test(value.amount) && !value.amount.startsWith("-");
}

/** Replace a region's content with one alert: a failed request or a refused change. */
export function showProblem(region, problem, title = null) {
  region.replaceChildren();
  if (!problem) {
    region.hidden = true;
    return;
  }
  const messages = problem instanceof ApiError ? problem.messages : [problem.message ?? String(problem)];
  region.append(
    h("p", { class: "problem-title" }, title ?? (problem instanceof ApiError ? "The shop could not do that:" : "Something went wrong:")),
    h("ul", {}, messages.map((message) => h("li", {}, message))),
  );
  region.hidden = false;
  region.focus();
}

/**
 * Show a payload's userErrors in `region` (hidden when there are none), and mark the
 * form controls they name (`data-field` holds the last segment of the error's field path).
 * Returns true when there were errors.
 */
export function showUserErrors(region, userErrors, form = null) {
  form?.querySelectorAll("[aria-invalid]").forEach((control) => control.removeAttribute("aria-invalid"));
  region.replaceChildren();
  if (!userErrors?.length) {
    region.hidden = true;
    return false;
  }
  region.append(
    h("p", { class: "problem-title" }, "Please check:"),
    h("ul", {}, userErrors.map((error) => h("li", { dataset: { code: error.code } }, error.message))),
  );
  for (const error of userErrors) {
    const name = error.field?.at(-1);
    const control = name && form?.querySelector(`[data-field="${CSS.escape(name)}"]`);
    control?.setAttribute("aria-invalid", "true");
  }
  region.hidden = false;
  region.focus();
  return true;
}

/** Announce a success politely to screen readers, and show it. */
export function announce(region, ...content) {
  region.replaceChildren(...content);
  region.hidden = content.length === 0;
}

/** Disable a button while `work` runs, so a double click does not send twice. */
export async function busy(button, work) {
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }
}

/** The currency the shopper browses in (kept in localStorage), else the store's default. */
export async function currentCurrency() {
  const config = await storefrontConfig();
  return storage.currency(config.defaultCurrency);
}

const CART_COUNT = `query CartCount($id: ID!) { cart(id: $id) { id totalQuantity currencyCode } }`;
const CURRENCY_UPDATE = `mutation CartCurrency($cartId: ID!, $currency: CurrencyCode!) {
  cartCurrencyUpdate(input: { cartId: $cartId, currency: $currency }) {
    cart { id } userErrors { field code message }
  }
}`;
const CURRENCIES = ["USD", "EUR", "GBP"];

/**
 * Fill the page header: the cart link with its count, the last order, the currency.
 * A cart that has expired or is gone is forgotten, so the next add starts a new one.
 */
export async function setUpHeader() {
  const count = document.getElementById("cart-count");
  const currencySelect = document.getElementById("currency");
  const currency = await currentCurrency();
  if (currencySelect) {
    currencySelect.replaceChildren(...CURRENCIES.map((code) => h("option", { value: code, selected: code === currency }, code)));
    currencySelect.addEventListener("change", async () => {
      storage.setCurrency(currencySelect.value);
      const cartId = storage.cartId();
      if (cartId) {
        try {
          await graphql(CURRENCY_UPDATE, { cartId, currency: currencySelect.value });
        } catch {
          // The page reloads below and reports whatever is wrong with the cart.
        }
      }
      location.reload();
    });
  }
  const [latest] = storage.orders();
  const orderLink = document.getElementById("last-order");
  if (orderLink && latest) {
    orderLink.href = `order.html?id=${encodeURIComponent(latest.id)}`;
    orderLink.hidden = false;
  }
  const cartId = storage.cartId();
  if (!count || !cartId) return;
  try {
    const { cart } = await graphql(CART_COUNT, { id: cartId });
    if (!cart) {
      storage.forgetCart();
      return;
    }
    count.textContent = String(cart.totalQuantity);
  } catch (problem) {
    if (problem instanceof ApiError && problem.codes.includes("CART_EXPIRED")) storage.forgetCart();
  }
}

/** A book cover drawn in CSS from the title: the demo's image URLs point at no real host. */
export function cover(product, size = "small") {
  let hash = 0;
  for (const character of product.handle) hash = (hash * 31 + character.charCodeAt(0)) % 360;
  const author = product.attributes?.find((attribute) => attribute.name === "author")?.values.join(" & ");
  return h(
    "div",
    { class: `cover cover-${size}`, style: `--hue: ${hash}`, role: "img", "aria-label": product.featuredImage?.altText || `Cover of ${product.title}` },
    h("span", { class: "cover-title", "aria-hidden": "true" }, product.title),
    author ? h("span", { class: "cover-author", "aria-hidden": "true" }, author) : null,
  );
}
