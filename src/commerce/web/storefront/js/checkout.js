// Paying for a placed order with Stripe.js.
//
// The server says which Stripe.js to load and with which publishable key
// (/demo/config.json): Stripe's own with a Stripe account, or the local Stripe server's
// stand-in, so the page works offline. On Stripe the browser confirms the payment itself
// (`confirmCardPayment` with the card element). The local stand-in cannot confirm with
// card details, so there the card becomes a token (`createToken`) that the server sets
// on the payment (POST /demo/pay, `confirmOnServer`); a card that asks for 3-D Secure is
// then authenticated with `confirmCardPayment`, as on Stripe.

import { graphql, storage, storefrontConfig } from "./api.js";
import { busy, h, money, setUpHeader, showProblem } from "./ui.js";

const ORDER = `query PlacedOrder($id: ID!, $token: String) {
  order(id: $id, accessToken: $token) {
    id name status
    lines { title variantTitle quantity total { amount currencyCode } }
    discountAmount { amount currencyCode }
    shipping { amount currencyCode }
    totalTax { amount currencyCode }
    total { amount currencyCode }
  }
}`;

const problem = document.getElementById("problem");
const summary = document.getElementById("summary");
const form = document.getElementById("payment");
const payButton = document.getElementById("pay");
const paymentErrors = document.getElementById("payment-errors");

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = src;
    script.onload = resolve;
    script.onerror = () => reject(new Error(`Stripe.js could not be loaded from ${src}.`));
    document.head.append(script);
  });
}

function paymentProblem(message) {
  showProblem(paymentErrors, new Error(message), "The payment did not go through:");
}

function orderPage(order) {
  location.assign(`order.html?id=${encodeURIComponent(order.id)}`);
}

function showSummary(order) {
  summary.replaceChildren(
    h("h2", { id: "summary-title" }, `Order ${order.name}`),
    h("ul", { class: "lines compact" }, order.lines.map((line) => h("li", {}, h("span", {}, `${line.quantity} × ${line.title} (${line.variantTitle})`), h("span", {}, money(line.total))))),
    h(
      "dl",
      {},
      h("dt", {}, "Discounts"), h("dd", {}, `−${money(order.discountAmount)}`),
      h("dt", {}, "Shipping"), h("dd", {}, money(order.shipping)),
      order.totalTax ? [h("dt", {}, "Tax"), h("dd", {}, money(order.totalTax))] : [],
      h("dt", { class: "grand" }, "Total"), h("dd", { class: "grand" }, money(order.total)),
    ),
  );
}

/** Pay with the card element; resolves true once Stripe has taken the payment. */
async function pay(stripe, card, config, clientSecret) {
  if (!config.confirmOnServer) {
    const result = await stripe.confirmCardPayment(clientSecret, { payment_method: { card } });
    if (result.error) paymentProblem(result.error.message);
    return !result.error;
  }
  const { token, error } = await stripe.createToken(card);
  if (error || !token) {
    paymentProblem(error?.message ?? "Please check the card number, expiry and CVC.");
    return false;
  }
  const response = await fetch("pay", {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify({ clientSecret, token: token.id }),
  });
  const outcome = await response.json().catch(() => ({ error: `The payment answered HTTP ${response.status}.` }));
  if (outcome.error) {
    paymentProblem(outcome.error);
    return false;
  }
  if (outcome.status === "requires_action") {
    const result = await stripe.confirmCardPayment(clientSecret);
    if (result.error || result.paymentIntent?.status === "requires_payment_method") {
      paymentProblem(result.error?.message ?? "The card was not authenticated; try again or use another card.");
      return false;
    }
    return true;
  }
  if (outcome.status === "succeeded" || outcome.status === "processing") return true;
  paymentProblem(outcome.failure ?? "The card was declined; try another card.");
  return false;
}

async function main() {
  setUpHeader();
  const id = new URLSearchParams(location.search).get("id");
  const kept = id && storage.order(id);
  if (!kept) {
    summary.replaceChildren(h("p", {}, "This browser placed no such order. ", h("a", { href: "cart.html" }, "Back to your cart.")));
    return;
  }
  const { order } = await graphql(ORDER, { id, token: kept.accessToken });
  if (!order) {
    summary.replaceChildren(h("p", {}, "The order could not be found."));
    return;
  }
  showSummary(order);
  if (order.status !== "AWAITING_PAYMENT" || !kept.clientSecret) {
    orderPage(order);
    return;
  }
  const config = await storefrontConfig();
  if (!config.stripePublishableKey) {
    throw new Error("The server has no Stripe publishable key: set COMMERCE_STRIPE_PUBLISHABLE_KEY (pk_…).");
  }
  await loadScript(config.stripeJsUrl);
  const stripe = window.Stripe(config.stripePublishableKey);
  const card = stripe.elements().create("card");
  form.hidden = false;
  card.mount("#card");
  // localstripe's stand-in inputs carry only placeholders; give them names for screen readers.
  for (const input of document.querySelectorAll("#card input")) {
    if (!input.hasAttribute("aria-label")) input.setAttribute("aria-label", input.placeholder.replace("_", " "));
  }
  payButton.textContent = `Pay ${money(order.total)}`;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    showProblem(paymentErrors, null);
    busy(payButton, async () => {
      try {
        if (await pay(stripe, card, config, kept.clientSecret)) orderPage(order);
      } catch (failure) {
        showProblem(paymentErrors, failure);
      }
    });
  });
}

try {
  await main();
} catch (failure) {
  showProblem(problem, failure);
}
