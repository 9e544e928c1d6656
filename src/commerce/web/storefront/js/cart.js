// The cart: lines and quantities, discounts with their explanations, discount codes and
// why a code was refused, near-miss hints, contact, shipping address, delivery, totals,
// and `checkoutComplete`.
//
// Every mutation answers the whole cart (the CART fragment), so the page redraws from
// what the server priced, never from sums of its own.

import { ApiError, graphql, storage } from "./api.js";
import { announce, busy, h, money, positive, setUpHeader, showProblem, showUserErrors } from "./ui.js";

const CART = `fragment CartView on Cart {
  id currencyCode totalQuantity requiresShipping checkoutReady
  buyerIdentity { email }
  shippingAddress { firstName lastName address1 address2 city province zip countryCode }
  lines {
    id quantity available unavailableReason
    merchandise { id sku title product { handle title } }
    cost {
      amountPerQuantity { amount currencyCode }
      totalAmount { amount currencyCode }
      discountedTotalAmount { amount currencyCode }
    }
    discountAllocations { amount { amount currencyCode } explanation }
  }
  orderDiscounts { amount { amount currencyCode } explanation }
  shippingDiscount { amount { amount currencyCode } explanation }
  discountCodes { code applicable reason message }
  nearMisses { kind message itemsMissing amountMissing { amount currencyCode } }
  deliveryOptions { id title price { amount currencyCode } }
  selectedDeliveryOption { id title }
  checkoutIssues { code message }
  warnings { code message }
  cost {
    subtotalAmount { amount currencyCode }
    discountAmount { amount currencyCode }
    shippingDiscountAmount { amount currencyCode }
    totalDiscountAmount { amount currencyCode }
    shippingAmount { amount currencyCode }
    totalTaxAmount { amount currencyCode }
    taxesIncluded
    totalAmount { amount currencyCode }
  }
}`;

const payload = (name, args) => `mutation ${name[0].toUpperCase()}${name.slice(1)}(${args}) {
  ${name}(input: $input) { cart { ...CartView } userErrors { field code message } }
}
${CART}`;

const QUERIES = {
  cart: `query Cart($id: ID!) { cart(id: $id) { ...CartView } }\n${CART}`,
  linesUpdate: payload("cartLinesUpdate", "$input: CartLinesUpdateInput!"),
  linesRemove: payload("cartLinesRemove", "$input: CartLinesRemoveInput!"),
  codes: payload("cartDiscountCodesUpdate", "$input: CartDiscountCodesUpdateInput!"),
  buyer: payload("cartBuyerIdentityUpdate", "$input: CartBuyerIdentityUpdateInput!"),
  address: payload("cartShippingAddressUpdate", "$input: CartShippingAddressUpdateInput!"),
  delivery: payload("cartDeliveryOptionSelect", "$input: CartDeliveryOptionSelectInput!"),
};

const CHECKOUT = `mutation Checkout($input: CheckoutCompleteInput!) {
  checkoutComplete(input: $input) {
    order { id name status }
    paymentIntentClientSecret
    orderAccessToken
    userErrors { field code message }
  }
}`;

const COUNTRIES = [
  ["US", "United States"], ["CA", "Canada"], ["GB", "United Kingdom"], ["IE", "Ireland"],
  ["DE", "Germany"], ["FR", "France"], ["ES", "Spain"], ["IT", "Italy"], ["NL", "Netherlands"],
  ["AU", "Australia"], ["JP", "Japan"],
];

const root = document.getElementById("cart");
const problem = document.getElementById("problem");
const notice = document.getElementById("notice");

/**
 * Run a cart mutation; on success redraw the cart and announce `done` (a sentence).
 * Returns the payload's userErrors (null when the request failed).
 */
async function change(query, input, errors, form = null, done = "Your cart was updated.") {
  showProblem(problem, null);
  announce(notice);
  try {
    const result = Object.values(await graphql(QUERIES[query], { input: { cartId: storage.cartId(), ...input } }))[0];
    if (showUserErrors(errors, result.userErrors, form)) return result.userErrors;
    render(result.cart);
    announce(notice, done);
    return [];
  } catch (failure) {
    showProblem(problem, failure);
    return null;
  }
}

function errorRegion() {
  return h("div", { class: "problem inline", role: "alert", tabindex: "-1", hidden: true });
}

function field(label, name, attributes = {}) {
  const id = `address-${name}`;
  return h("div", { class: "field" }, h("label", { for: id }, label), h("input", { id, name, "data-field": name, ...attributes }));
}

function explanations(allocations) {
  if (!allocations.length) return null;
  return h("ul", { class: "discounts" }, allocations.map((allocation) => h("li", {}, h("span", {}, allocation.explanation), h("span", { class: "amount" }, `−${money(allocation.amount)}`))));
}

function lineRow(line) {
  const errors = errorRegion();
  const title = line.merchandise ? `${line.merchandise.product.title} (${line.merchandise.title})` : "An item no longer for sale";
  const quantityId = `quantity-${line.id}`;
  const quantity = h("input", { id: quantityId, type: "number", min: "0", max: "99", value: String(line.quantity), inputmode: "numeric", "data-field": "quantity" });
  const update = h("button", { type: "submit" }, "Update");
  const remove = h("button", { type: "button", class: "link" }, "Remove");
  const form = h(
    "form",
    { "aria-label": `Quantity of ${title}`, onsubmit: (event) => { event.preventDefault(); busy(update, () => change("linesUpdate", { lines: [{ id: line.id, quantity: Number(quantity.value) }] }, errors, form)); } },
    h("label", { for: quantityId }, "Quantity"),
    quantity,
    update,
    remove,
  );
  remove.addEventListener("click", () => busy(remove, () => change("linesRemove", { lineIds: [line.id] }, errors)));
  const discounted = line.cost && line.cost.discountedTotalAmount.amount !== line.cost.totalAmount.amount;
  return h(
    "li",
    { class: "line" },
    h(
      "div",
      { class: "line-main" },
      h("div", {}, line.merchandise ? h("a", { href: `product.html?handle=${encodeURIComponent(line.merchandise.product.handle)}` }, title) : title, line.cost ? h("p", { class: "unit" }, `${money(line.cost.amountPerQuantity)} each`) : null),
      h(
        "div",
        { class: "line-price" },
        !line.cost ? h("span", { class: "stock out" }, "Not available") : discounted
          ? [h("del", {}, money(line.cost.totalAmount)), " ", h("strong", {}, money(line.cost.discountedTotalAmount))]
          : h("strong", {}, money(line.cost.totalAmount)),
      ),
    ),
    explanations(line.discountAllocations),
    form,
    errors,
  );
}

function codesSection(cart) {
  const errors = errorRegion();
  const input = h("input", { id: "discount-code", name: "code", autocomplete: "off", "data-field": "discountCodes" });
  const apply = h("button", { type: "submit" }, "Apply");
  const codes = cart.discountCodes.map((code) => code.code);
  const form = h(
    "form",
    {
      class: "inline-form",
      onsubmit: (event) => {
        event.preventDefault();
        const code = input.value.trim();
        if (!code) return;
        busy(apply, () => change("codes", { discountCodes: [...codes, code] }, errors, form, `Code ${code} entered.`));
      },
    },
    h("label", { for: "discount-code" }, "Discount code"),
    input,
    apply,
  );
  return h(
    "section",
    { class: "panel", "aria-labelledby": "codes-title" },
    h("h2", { id: "codes-title" }, "Discount codes"),
    cart.discountCodes.length
      ? h("ul", { class: "codes" }, cart.discountCodes.map((code) => {
          const remove = h("button", { type: "button", class: "link", "aria-label": `Remove the code ${code.code}` }, "Remove");
          remove.addEventListener("click", () => busy(remove, () => change("codes", { discountCodes: codes.filter((kept) => kept !== code.code) }, errors)));
          return h("li", { class: code.applicable ? "applied" : "refused", dataset: { reason: code.reason ?? "" } }, h("strong", {}, code.code), " ", h("span", { class: "visually-hidden" }, code.applicable ? "applied: " : "not applied: "), h("span", { class: "code-message" }, code.message), " ", remove);
        }))
      : null,
    form,
    errors,
  );
}

function contactSection(cart) {
  const errors = errorRegion();
  const save = h("button", { type: "submit" }, "Save");
  const email = h("input", { id: "email", name: "email", type: "email", autocomplete: "email", required: true, value: cart.buyerIdentity.email ?? "", "data-field": "email" });
  const form = h(
    "form",
    { class: "inline-form", onsubmit: (event) => { event.preventDefault(); busy(save, () => change("buyer", { buyerIdentity: { email: email.value.trim() } }, errors, form, "Email saved.")); } },
    h("label", { for: "email" }, "Email for the receipt"),
    email,
    save,
  );
  return h("section", { class: "panel", "aria-labelledby": "contact-title" }, h("h2", { id: "contact-title" }, "Contact"), form, errors);
}

function addressSection(cart) {
  const errors = errorRegion();
  const kept = cart.shippingAddress ?? {};
  const country = h("select", { id: "address-countryCode", name: "countryCode", "data-field": "countryCode", autocomplete: "country" }, COUNTRIES.map(([code, name]) => h("option", { value: code, selected: (kept.countryCode ?? "US") === code }, name)));
  const save = h("button", { type: "submit" }, "Use this address");
  const form = h(
    "form",
    {
      class: "address",
      onsubmit: (event) => {
        event.preventDefault();
        const address = Object.fromEntries(new FormData(form));
        busy(save, () => change("address", { address }, errors, form, "Address saved: choose how it is delivered."));
      },
    },
    h("div", { class: "row" }, field("First name", "firstName", { autocomplete: "given-name", value: kept.firstName ?? "" }), field("Last name", "lastName", { autocomplete: "family-name", value: kept.lastName ?? "" })),
    field("Address", "address1", { autocomplete: "address-line1", required: true, value: kept.address1 ?? "" }),
    field("Apartment, suite (optional)", "address2", { autocomplete: "address-line2", value: kept.address2 ?? "" }),
    h("div", { class: "row" }, field("City", "city", { autocomplete: "address-level2", required: true, value: kept.city ?? "" }), field("State or province", "province", { autocomplete: "address-level1", value: kept.province ?? "" }), field("ZIP or postal code", "zip", { autocomplete: "postal-code", value: kept.zip ?? "" })),
    h("div", { class: "field" }, h("label", { for: "address-countryCode" }, "Country"), country),
    save,
  );
  return h("section", { class: "panel", "aria-labelledby": "address-title" }, h("h2", { id: "address-title" }, "Shipping address"), form, errors);
}

function deliverySection(cart) {
  const errors = errorRegion();
  if (!cart.shippingAddress) {
    return h("section", { class: "panel", "aria-labelledby": "delivery-title" }, h("h2", { id: "delivery-title" }, "Delivery"), h("p", {}, "Enter a shipping address to see how it can be delivered."));
  }
  if (!cart.deliveryOptions.length) {
    return h("section", { class: "panel", "aria-labelledby": "delivery-title" }, h("h2", { id: "delivery-title" }, "Delivery"), h("p", {}, "We do not ship to this address."));
  }
  const choices = cart.deliveryOptions.map((option) =>
    h("div", { class: "choice" },
      h("input", { type: "radio", id: `delivery-${option.id}`, name: "deliveryOption", value: option.id, checked: cart.selectedDeliveryOption?.id === option.id,
        onchange: () => change("delivery", { deliveryOptionId: option.id }, errors, null, `${option.title} chosen.`) }),
      h("label", { for: `delivery-${option.id}` }, `${option.title} — ${money(option.price)}`)));
  return h(
    "section",
    { class: "panel", "aria-labelledby": "delivery-title" },
    h("fieldset", {}, h("legend", { id: "delivery-title" }, "Delivery"), choices),
    cart.shippingDiscount ? h("p", { class: "saving" }, cart.shippingDiscount.explanation) : null,
    errors,
  );
}

function totalRow(label, value, extra = {}) {
  return [h("dt", extra, label), h("dd", extra, value)];
}

function totalsSection(cart) {
  const { cost } = cart;
  const errors = errorRegion();
  const checkout = h("button", { type: "button", class: "primary wide", disabled: !cart.checkoutReady }, "Check out");
  checkout.addEventListener("click", () => busy(checkout, () => placeOrder(cart, errors)));
  return h(
    "section",
    { class: "panel totals", "aria-labelledby": "totals-title" },
    h("h2", { id: "totals-title" }, "Summary"),
    explanations(cart.orderDiscounts),
    h(
      "dl",
      {},
      totalRow("Subtotal", money(cost.subtotalAmount)),
      positive(cost.totalDiscountAmount) ? totalRow("Discounts", `−${money(cost.totalDiscountAmount)}`, { class: "saving" }) : [],
      cart.requiresShipping ? totalRow("Shipping", cost.shippingAmount ? money(cost.shippingAmount) : "Choose a delivery option") : [],
      cost.totalTaxAmount ? totalRow(cost.taxesIncluded ? "Tax included" : "Tax", money(cost.totalTaxAmount)) : [],
      totalRow("Total", money(cost.totalAmount), { class: "grand" }),
    ),
    cart.checkoutIssues.length ? h("ul", { class: "issues", "aria-label": "Before you can check out" }, cart.checkoutIssues.map((issue) => h("li", {}, issue.message))) : null,
    checkout,
    errors,
  );
}

/** checkoutComplete with an idempotency key kept per cart: a retry places no second order. */
async function placeOrder(cart, errors) {
  showProblem(problem, null);
  const keyName = `commerce.demo.checkoutKey.${cart.id}`;
  const idempotencyKey = sessionStorage.getItem(keyName) ?? crypto.randomUUID();
  sessionStorage.setItem(keyName, idempotencyKey);
  try {
    const { checkoutComplete: result } = await graphql(CHECKOUT, { input: { cartId: cart.id, idempotencyKey } });
    if (showUserErrors(errors, result.userErrors)) return;
    storage.rememberOrder({
      id: result.order.id,
      name: result.order.name,
      accessToken: result.orderAccessToken,
      clientSecret: result.paymentIntentClientSecret,
    });
    storage.forgetCart();
    sessionStorage.removeItem(keyName);
    const page = result.paymentIntentClientSecret ? "checkout.html" : "order.html";
    location.assign(`${page}?id=${encodeURIComponent(result.order.id)}`);
  } catch (failure) {
    showProblem(problem, failure);
  }
}

function render(cart) {
  document.getElementById("cart-count").textContent = String(cart.totalQuantity);
  if (!cart.lines.length) {
    root.replaceChildren(h("p", {}, "Your cart is empty. ", h("a", { href: "./" }, "Browse the catalog.")));
    return;
  }
  root.replaceChildren(
    h(
      "div",
      { class: "cart-layout" },
      h(
        "div",
        {},
        h("section", { "aria-labelledby": "lines-title" }, h("h2", { id: "lines-title", class: "visually-hidden" }, "Items"), h("ul", { class: "lines" }, cart.lines.map(lineRow))),
        cart.warnings.length ? h("ul", { class: "issues" }, cart.warnings.map((warning) => h("li", {}, warning.message))) : null,
        cart.nearMisses.length
          ? h("section", { class: "panel hints", "aria-labelledby": "hints-title" }, h("h2", { id: "hints-title" }, "Almost there"), h("ul", {}, cart.nearMisses.map((miss) => h("li", { dataset: { kind: miss.kind } }, miss.message))))
          : null,
        codesSection(cart),
        contactSection(cart),
        cart.requiresShipping ? addressSection(cart) : null,
        cart.requiresShipping ? deliverySection(cart) : null,
      ),
      totalsSection(cart),
    ),
  );
}

async function load() {
  const id = storage.cartId();
  if (!id) {
    root.replaceChildren(h("p", {}, "Your cart is empty. ", h("a", { href: "./" }, "Browse the catalog.")));
    return;
  }
  try {
    const { cart } = await graphql(QUERIES.cart, { id });
    if (!cart) {
      storage.forgetCart();
      root.replaceChildren(h("p", {}, "That cart is gone. ", h("a", { href: "./" }, "Start again from the catalog.")));
      return;
    }
    render(cart);
  } catch (failure) {
    if (failure instanceof ApiError && failure.codes.includes("CART_EXPIRED")) {
      storage.forgetCart();
      announce(notice, "Your cart had expired, so it was emptied.");
    } else if (failure instanceof ApiError && failure.codes.includes("BAD_USER_INPUT")) {
      // A stored id the API cannot read (edited, or from another shop): start afresh.
      storage.forgetCart();
      announce(notice, "This browser's cart could not be read, so a new one starts with your next book.");
    }
    root.replaceChildren();
    showProblem(problem, failure);
  }
}

setUpHeader();
await load();
root.removeAttribute("aria-busy");
