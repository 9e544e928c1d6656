// The GraphQL-over-HTTP audit of graphql-http (its own suite of MUST and SHOULD checks),
// run against a served /graphql: node scripts/graphql-http-audit.mjs http://127.0.0.1:8000/graphql
// Prints one JSON object: the counts and every check that did not pass, with its reason.
import { auditServer } from "graphql-http";

const url = process.argv[2];
if (!url) {
  console.error("usage: graphql-http-audit.mjs <url of /graphql>");
  process.exit(2);
}
const results = await auditServer({ url });
const failed = results.filter((result) => result.status !== "ok");
console.log(
  JSON.stringify({
    total: results.length,
    ok: results.length - failed.length,
    notOk: failed.map((result) => ({
      id: result.id,
      name: result.name,
      status: result.status,
      reason: result.reason,
    })),
  }),
);
