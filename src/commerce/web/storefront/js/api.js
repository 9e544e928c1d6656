// The storefront's one way to the server: GraphQL over HTTP, and what the browser keeps.
//
// Every page imports `graphql` from here. It throws an ApiError for anything that is not
// an answer with data: a transport failure, a non-JSON body, or top-level GraphQL errors
// (a malformed id, an expired cart, a spent rate budget). Business refusals are not
// errors: they come back as `userErrors` in a mutation's payload, and each page shows them.

const ACCEPT = "application/graphql-response+json, application/json;q=0.9";

/** A request the server did not answer with data; `codes` holds each error's extensions.code. */
export class ApiError extends Error {
  constructor(messages, codes = [], status = 0) {
    super(messages.join(" "));
    this.name = "ApiError";
    this.messages = messages;
    this.codes = codes;
    this.status = status;
  }
}

let configPromise = null;

/** The server's storefront settings (/demo/config.json): GraphQL endpoint, Stripe.js, key. */
export function storefrontConfig() {
  configPromise ??= fetch("config.json", { headers: { Accept: "application/json" } }).then(
    async (response) => {
      if (!response.ok) {
        throw new ApiError([`The storefront settings could not be read (HTTP ${response.status}).`]);
      }
      return response.json();
    },
  );
  return configPromise;
}

/**
 * Run one GraphQL operation and return its `data`.
 *
 * Partial answers (data with errors) are refused too: a page that showed half an
 * answer would mislead the shopper.
 */
export async function graphql(query, variables = {}) {
  const { graphqlUrl } = await storefrontConfig();
  let response;
  try {
    response = await fetch(graphqlUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: ACCEPT },
      body: JSON.stringify({ query, variables }),
    });
  } catch (failure) {
    throw new ApiError([`The shop could not be reached (${failure.message}).`]);
  }
  let body;
  try {
    body = await response.json();
  } catch {
    throw new ApiError([`The shop answered HTTP ${response.status} without a GraphQL body.`], [], response.status);
  }
  if (body.errors?.length) {
    const messages = body.errors.map((error) => error.message);
    const codes = body.errors.map((error) => error.extensions?.code).filter(Boolean);
    throw new ApiError(messages, codes, response.status);
  }
  if (!body.data) {
    throw new ApiError([`The shop answered HTTP ${response.status} with no data.`], [], response.status);
  }
  return body.data;
}

// -- what the browser keeps between pages (localStorage) ----------------------------------

const CART_KEY = "commerce.demo.cartId";
const ORDERS_KEY = "commerce.demo.orders";
const CURRENCY_KEY = "commerce.demo.currency";

export const storage = {
  cartId: () => localStorage.getItem(CART_KEY),
  setCartId: (id) => localStorage.setItem(CART_KEY, id),
  forgetCart: () => localStorage.removeItem(CART_KEY),
  currency: (fallback) => localStorage.getItem(CURRENCY_KEY) || fallback,
  setCurrency: (code) => localStorage.setItem(CURRENCY_KEY, code),
  /** Orders placed in this browser, newest first: {id, name, accessToken, clientSecret}. */
  orders: () => {
    try {
      const orders = JSON.parse(localStorage.getItem(ORDERS_KEY) || "[]");
      return Array.isArray(orders) ? orders : [];
    } catch {
      return [];
    }
  },
  order: (id) => storage.orders().find((order) => order.id === id) ?? null,
  rememberOrder: (order) => {
    const others = storage.orders().filter((kept) => kept.id !== order.id);
    localStorage.setItem(ORDERS_KEY, JSON.stringify([order, ...others].slice(0, 20)));
  },
};
