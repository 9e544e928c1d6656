// A book: its formats (variants) with price and stock, and the offers it takes part in.
//
// `offers(productId)` lists the live promotions on the product, priced for this shopper;
// a bundle offer can be added in one step with `cartBundleAdd`. The schema has no
// recommendations yet, so this page shows none.

import { graphql } from "./api.js";
import { addBundle, addVariant } from "./cart-actions.js";
import { announce, busy, cover, currentCurrency, h, money, positive, setUpHeader, showProblem, showUserErrors } from "./ui.js";

const PRODUCT = `query Book($handle: String!, $currency: CurrencyCode) {
  product(handle: $handle, currency: $currency) {
    id handle title description availableForSale
    featuredImage { altText }
    attributes { name values }
    collections { handle title }
    variants {
      id sku title kind availableForSale quantityAvailable
      price { amount currencyCode }
    }
  }
}`;

const OFFERS = `query Offers($productId: ID!, $currency: CurrencyCode) {
  offers(productId: $productId, currencyCode: $currency) {
    promotionId name kind summary nextStep
    saving { amount currencyCode }
  }
}`;

const LOW_STOCK = 3;
const article = document.getElementById("product");
const problem = document.getElementById("problem");
const notice = document.getElementById("notice");

function stockState(variant) {
  if (!variant.price) return "Not sold in this currency";
  if (variant.kind === "DIGITAL") return "Instant download";
  if (!variant.availableForSale) return "Sold out";
  if (variant.quantityAvailable !== null && variant.quantityAvailable <= LOW_STOCK) {
    return variant.quantityAvailable === 1 ? "Only 1 left" : `Only ${variant.quantityAvailable} left`;
  }
  return "In stock";
}

function added(payload, what, errors) {
  if (showUserErrors(errors, payload.userErrors)) return;
  document.getElementById("cart-count").textContent = String(payload.cart.totalQuantity);
  announce(notice, `${what} added to your cart. `, h("a", { href: "cart.html" }, "View your cart"));
}

function variantRow(product, variant) {
  const id = `quantity-${variant.sku}`;
  const errors = h("div", { class: "problem inline", role: "alert", tabindex: "-1", hidden: true });
  const quantity = h("input", { id, type: "number", min: "1", max: "99", value: "1", inputmode: "numeric", "data-field": "quantity" });
  const canBuy = variant.availableForSale && variant.price;
  const button = h("button", { type: "submit", class: "primary", disabled: !canBuy }, "Add to cart");
  const form = h(
    "form",
    {
      class: "variant",
      "aria-label": `${product.title}, ${variant.title}`,
      onsubmit: async (event) => {
        event.preventDefault();
        showProblem(problem, null);
        await busy(button, async () => {
          try {
            added(await addVariant(variant.id, Number(quantity.value)), `${product.title} (${variant.title})`, errors);
          } catch (failure) {
            showProblem(problem, failure);
          }
        });
      },
    },
    h("div", { class: "variant-name" }, h("strong", {}, variant.title), h("span", { class: `stock ${canBuy ? "" : "out"}` }, stockState(variant))),
    h("div", { class: "variant-price" }, money(variant.price)),
    h("div", { class: "variant-buy" }, h("label", { for: id }, "Quantity"), quantity, button),
    errors,
  );
  return h("li", {}, form);
}

function offerItem(offer) {
  const errors = h("div", { class: "problem inline", role: "alert", tabindex: "-1", hidden: true });
  let button = null;
  if (offer.kind === "BUNDLE") {
    button = h("button", { type: "button", class: "primary" }, "Add the bundle");
    button.addEventListener("click", () =>
      busy(button, async () => {
        showProblem(problem, null);
        try {
          added(await addBundle(offer.promotionId), `The bundle “${offer.name}”`, errors);
        } catch (failure) {
          showProblem(problem, failure);
        }
      }),
    );
  }
  return h(
    "li",
    { class: "offer" },
    h("h3", {}, offer.name),
    h("p", {}, offer.summary),
    positive(offer.saving) ? h("p", { class: "saving" }, `You save ${money(offer.saving)} on this book.`) : null,
    offer.nextStep ? h("p", { class: "next-step" }, offer.nextStep) : null,
    button,
    errors,
  );
}

async function load() {
  const handle = new URLSearchParams(location.search).get("handle");
  if (!handle) {
    article.replaceChildren(h("p", {}, "No book was named. ", h("a", { href: "./" }, "Browse the catalog.")));
    return;
  }
  const currency = await currentCurrency();
  const { product } = await graphql(PRODUCT, { handle, currency });
  if (!product) {
    document.title = "Not found · Lantern & Ash Books";
    article.replaceChildren(h("h1", {}, "Book not found"), h("p", {}, "There is no such book. ", h("a", { href: "./" }, "Browse the catalog.")));
    return;
  }
  const { offers } = await graphql(OFFERS, { productId: product.id, currency });
  document.title = `${product.title} · Lantern & Ash Books`;
  const details = product.attributes.filter((attribute) => ["author", "series", "volume", "language", "pages"].includes(attribute.name));
  article.replaceChildren(
    h(
      "div",
      { class: "product-layout" },
      cover(product, "large"),
      h(
        "div",
        {},
        h("h1", {}, product.title),
        h("p", { class: "description" }, product.description),
        h(
          "dl",
          { class: "details" },
          details.flatMap((attribute) => [h("dt", {}, attribute.name), h("dd", {}, attribute.values.join(", "))]),
          product.collections.length ? [h("dt", {}, "collections"), h("dd", {}, product.collections.map((collection, index) => [index ? ", " : "", h("a", { href: `./?collection=${encodeURIComponent(collection.handle)}` }, collection.title)]))] : [],
        ),
        h("section", { "aria-labelledby": "formats-title" }, h("h2", { id: "formats-title" }, "Formats"), h("ul", { class: "variants" }, product.variants.map((variant) => variantRow(product, variant)))),
      ),
    ),
    h(
      "section",
      { class: "offers", "aria-labelledby": "offers-title" },
      h("h2", { id: "offers-title" }, "Offers"),
      offers.length ? h("ul", {}, offers.map(offerItem)) : h("p", {}, "No offer on this book right now."),
    ),
  );
}

setUpHeader();
try {
  await load();
} catch (failure) {
  article.replaceChildren();
  showProblem(problem, failure);
} finally {
  article.removeAttribute("aria-busy");
}
