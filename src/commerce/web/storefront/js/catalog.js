// The catalog: text search, collection and format filters, price sort, cursor pages.
//
// The search lives in the address bar (?q=…&collection=…&sort=…&after=…), so the back
// button, a reload and a shared link all show the same page of results.

import { graphql } from "./api.js";
import { cover, currentCurrency, h, money, setUpHeader, showProblem } from "./ui.js";

const PAGE_SIZE = 12;

const COLLECTIONS = `query Collections { collections(first: 50) { nodes { id handle title } } }`;

const PRODUCTS = `query Catalog(
  $first: Int, $after: String, $last: Int, $before: String, $query: String,
  $filter: ProductFilter, $sortKey: ProductSortKeys!, $reverse: Boolean!, $currency: CurrencyCode
) {
  products(first: $first, after: $after, last: $last, before: $before, query: $query,
           filter: $filter, sortKey: $sortKey, reverse: $reverse, currency: $currency) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    nodes {
      id handle title availableForSale availableInCurrency
      featuredImage { altText }
      attributes { name values }
      priceRange { minVariantPrice { amount currencyCode } maxVariantPrice { amount currencyCode } }
      variants { title }
      collections { title }
    }
  }
}`;

const form = document.getElementById("filters");
const problem = document.getElementById("problem");
const summary = document.getElementById("summary");
const results = document.getElementById("results");
const previous = document.getElementById("previous");
const next = document.getElementById("next");

function searchFromAddress() {
  const params = new URLSearchParams(location.search);
  return {
    q: params.get("q") ?? "",
    collection: params.get("collection") ?? "",
    format: params.get("format") ?? "",
    sort: params.get("sort") ?? "TITLE",
    inStock: params.get("inStock") === "1",
    after: params.get("after"),
    before: params.get("before"),
  };
}

function fillForm(search) {
  form.elements.q.value = search.q;
  form.elements.collection.value = search.collection;
  form.elements.format.value = search.format;
  form.elements.sort.value = search.sort;
  form.elements.inStock.checked = search.inStock;
}

function go(search) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(search)) {
    if (value === true) params.set(name, "1");
    else if (value && value !== "TITLE") params.set(name, value);
  }
  history.pushState(null, "", params.size ? `?${params}` : "./");
  render(search);
}

function variables(search, currency) {
  const filter = {};
  if (search.collection) filter.collectionHandle = search.collection;
  if (search.format === "audiobook") filter.attributes = [{ name: "tag", value: "audiobook" }];
  if (search.inStock) filter.inStock = true;
  const [sortKey, direction] = search.sort.split("-");
  const page = search.before ? { last: PAGE_SIZE, before: search.before } : { first: PAGE_SIZE, after: search.after };
  return {
    ...page,
    query: search.q.trim() || null,
    filter,
    sortKey,
    reverse: direction === "desc",
    currency,
  };
}

function productCard(product) {
  const author = product.attributes.find((attribute) => attribute.name === "author")?.values.join(" & ");
  const range = product.priceRange;
  const price = !range
    ? "Not sold in this currency"
    : range.minVariantPrice.amount === range.maxVariantPrice.amount
      ? money(range.minVariantPrice)
      : `From ${money(range.minVariantPrice)}`;
  return h(
    "li",
    { class: "product-card" },
    h(
      "a",
      { href: `product.html?handle=${encodeURIComponent(product.handle)}` },
      cover(product),
      h("h2", { class: "card-title" }, product.title),
    ),
    author ? h("p", { class: "byline" }, `by ${author}`) : null,
    h("p", { class: "formats" }, product.variants.map((variant) => variant.title).join(" · ")),
    h("p", { class: "price" }, price),
    product.availableForSale ? null : h("p", { class: "badge sold-out" }, "Sold out"),
  );
}

async function render(search) {
  fillForm(search);
  results.setAttribute("aria-busy", "true");
  showProblem(problem, null);
  try {
    const { products } = await graphql(PRODUCTS, variables(search, await currentCurrency()));
    results.replaceChildren(...products.nodes.map(productCard));
    const words = search.q.trim() ? ` for “${search.q.trim()}”` : "";
    summary.textContent =
      products.totalCount === 0
        ? `No books found${words}.`
        : `${products.totalCount} ${products.totalCount === 1 ? "book" : "books"}${words}.`;
    const { pageInfo } = products;
    previous.hidden = !pageInfo.hasPreviousPage;
    next.hidden = !pageInfo.hasNextPage;
    previous.onclick = () => go({ ...search, after: null, before: pageInfo.startCursor });
    next.onclick = () => go({ ...search, before: null, after: pageInfo.endCursor });
  } catch (failure) {
    results.replaceChildren();
    summary.textContent = "";
    showProblem(problem, failure);
  } finally {
    results.removeAttribute("aria-busy");
  }
}

async function loadCollections() {
  try {
    const { collections } = await graphql(COLLECTIONS);
    const select = form.elements.collection;
    select.append(...collections.nodes.map((collection) => h("option", { value: collection.handle }, collection.title)));
  } catch (failure) {
    showProblem(problem, failure);
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  go({
    q: form.elements.q.value,
    collection: form.elements.collection.value,
    format: form.elements.format.value,
    sort: form.elements.sort.value,
    inStock: form.elements.inStock.checked,
    after: null,
    before: null,
  });
});
for (const name of ["collection", "format", "sort", "inStock"]) {
  form.elements[name].addEventListener("change", () => form.requestSubmit());
}
window.addEventListener("popstate", () => render(searchFromAddress()));

setUpHeader();
await loadCollections();
render(searchFromAddress());
