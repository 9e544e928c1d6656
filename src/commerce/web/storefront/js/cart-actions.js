// Putting things in the cart from any page: the first add creates the cart.
//
// The cart id is the shopper's capability for the cart (anyone holding it may change
// it), so it is kept in this browser's localStorage only. An expired or vanished cart
// is forgotten and a new one is made, once.

import { ApiError, graphql, storage } from "./api.js";
import { currentCurrency } from "./ui.js";

const CART_CREATE = `mutation StartCart($currency: CurrencyCode, $lines: [CartLineInput!]!) {
  cartCreate(input: { currency: $currency, lines: $lines }) {
    cart { id totalQuantity }
    userErrors { field code message }
  }
}`;
const LINES_ADD = `mutation AddLines($cartId: ID!, $lines: [CartLineInput!]!) {
  cartLinesAdd(input: { cartId: $cartId, lines: $lines }) {
    cart { id totalQuantity }
    userErrors { field code message }
  }
}`;
const BUNDLE_ADD = `mutation AddBundle($cartId: ID!, $promotionId: ID!) {
  cartBundleAdd(input: { cartId: $cartId, promotionId: $promotionId }) {
    cart { id totalQuantity }
    userErrors { field code message }
  }
}`;

function gone(problem) {
  return problem instanceof ApiError && problem.codes.includes("CART_EXPIRED");
}

/** The stored cart's id, or a new empty cart's (in the shopper's currency). */
async function cartId() {
  const kept = storage.cartId();
  if (kept) return kept;
  const { cartCreate } = await graphql(CART_CREATE, { currency: await currentCurrency(), lines: [] });
  if (cartCreate.userErrors.length) throw new ApiError(cartCreate.userErrors.map((error) => error.message));
  storage.setCartId(cartCreate.cart.id);
  return cartCreate.cart.id;
}

/** Run a cart mutation on the stored cart; start a new cart if that one is gone. */
async function onCart(mutation, field, variables) {
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const id = await cartId();
    try {
      const payload = (await graphql(mutation, { cartId: id, ...variables }))[field];
      const missing = payload.userErrors.some((error) => error.code === "CART_NOT_FOUND");
      if (!missing) return payload;
    } catch (problem) {
      if (!gone(problem)) throw problem;
    }
    storage.forgetCart();
  }
  throw new ApiError(["Your cart could not be found; please try again."]);
}

/** Add `quantity` of a variant; resolves to the CartPayload ({cart, userErrors}). */
export function addVariant(merchandiseId, quantity = 1) {
  return onCart(LINES_ADD, "cartLinesAdd", { lines: [{ merchandiseId, quantity }] });
}

/** Add one set of a bundle promotion's items; resolves to the CartPayload. */
export function addBundle(promotionId) {
  return onCart(BUNDLE_ADD, "cartBundleAdd", { promotionId });
}
