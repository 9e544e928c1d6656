// An order, read as a guest with the access token checkoutComplete returned.
//
// The order turns PAID when Stripe's webhook arrives, a moment after the payment, so
// while it awaits payment the page asks again every two seconds (for two minutes at
// most) and announces the change. Paid e-books and audiobooks show their download links.

import { graphql, storage } from "./api.js";
import { h, money, setUpHeader, showProblem } from "./ui.js";

const ORDER = `query Order($id: ID!, $token: String) {
  order(id: $id, accessToken: $token) {
    id name status createdAt paymentError
    lines { title variantTitle quantity total { amount currencyCode } }
    discountAmount { amount currencyCode }
    shipping { amount currencyCode }
    totalTax { amount currencyCode }
    total { amount currencyCode }
    shippingAddress { firstName lastName address1 city province zip countryCode }
    downloads { title url remaining expiresAt }
  }
}`;

const STATUS_TEXT = {
  AWAITING_PAYMENT: "Awaiting payment",
  PAID: "Paid",
  FULFILLED: "Shipped",
  PARTIALLY_REFUNDED: "Partly refunded",
  REFUNDED: "Refunded",
  CANCELLED: "Cancelled",
  EXPIRED: "Expired (not paid in time)",
};
const POLL_MS = 2000;
const POLL_LIMIT = 60;

const article = document.getElementById("order");
const problem = document.getElementById("problem");

function history() {
  const orders = storage.orders();
  if (!orders.length) return;
  document.getElementById("orders").replaceChildren(...orders.map((order) => h("li", {}, h("a", { href: `order.html?id=${encodeURIComponent(order.id)}` }, `Order ${order.name}`))));
  document.getElementById("history").hidden = false;
}

function render(order) {
  const downloads = order.downloads.length
    ? h("ul", { class: "downloads" }, order.downloads.map((link) => h("li", {}, h("a", { href: link.url, download: "" }, `Download ${link.title}`), h("span", { class: "hint" }, ` ${link.remaining} downloads left, until ${new Date(link.expiresAt).toLocaleDateString()}`))))
    : null;
  const address = order.shippingAddress;
  article.replaceChildren(
    ...[
    h("h1", {}, `Order ${order.name}`),
    h("p", { class: "status-line" }, "Status: ", h("strong", { id: "order-status", class: `status status-${order.status.toLowerCase()}`, dataset: { status: order.status } }, STATUS_TEXT[order.status] ?? order.status)),
    order.paymentError ? h("p", { class: "problem" }, `The last payment attempt failed: ${order.paymentError}`) : null,
    h("section", { class: "panel", "aria-labelledby": "lines-title" },
      h("h2", { id: "lines-title" }, "Items"),
      h("ul", { class: "lines compact" }, order.lines.map((line) => h("li", {}, h("span", {}, `${line.quantity} × ${line.title} (${line.variantTitle})`), h("span", {}, money(line.total))))),
      h("dl", {},
        h("dt", {}, "Discounts"), h("dd", {}, `−${money(order.discountAmount)}`),
        h("dt", {}, "Shipping"), h("dd", {}, money(order.shipping)),
        order.totalTax ? [h("dt", {}, "Tax"), h("dd", {}, money(order.totalTax))] : [],
        h("dt", { class: "grand" }, "Total"), h("dd", { class: "grand" }, money(order.total)))),
    address ? h("section", { class: "panel", "aria-labelledby": "ship-title" }, h("h2", { id: "ship-title" }, "Shipping to"), h("address", {}, `${address.firstName} ${address.lastName}`, h("br"), address.address1, h("br"), `${address.city} ${address.province} ${address.zip}`, h("br"), address.countryCode)) : null,
    h("section", { class: "panel", "aria-labelledby": "downloads-title" },
      h("h2", { id: "downloads-title" }, "Downloads"),
      downloads ?? h("p", {}, order.status === "AWAITING_PAYMENT" ? "Your e-books and audiobooks appear here once the payment is through." : "This order has nothing to download.")),
    ].filter(Boolean),
  );
}

async function main() {
  setUpHeader();
  history();
  const id = new URLSearchParams(location.search).get("id");
  const kept = id && storage.order(id);
  if (!id) {
    article.replaceChildren(h("h1", {}, "Your orders"));
    if (!storage.orders().length) article.append(h("p", {}, "No order was placed in this browser yet."));
    return;
  }
  const status = h("p", { class: "visually-hidden", role: "status", "aria-live": "polite" });
  document.getElementById("main").append(status);
  let last = null;
  for (let attempt = 0; attempt < POLL_LIMIT; attempt += 1) {
    const { order } = await graphql(ORDER, { id, token: kept?.accessToken ?? null });
    if (!order) {
      article.replaceChildren(h("h1", {}, "Order not found"), h("p", {}, "There is no such order, or this browser does not hold its access token."));
      return;
    }
    if (order.status !== last) {
      render(order);
      if (last !== null) status.textContent = `Order ${order.name} is now ${STATUS_TEXT[order.status] ?? order.status}.`;
      last = order.status;
    }
    if (order.status !== "AWAITING_PAYMENT") return;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

try {
  await main();
} catch (failure) {
  showProblem(problem, failure);
} finally {
  article.removeAttribute("aria-busy");
}
