// Runs the MCPJam SDK's OAuth conformance flow (DCR, headless authorization, token, its negative
// checks, then tools/list with the token) against one MCP server and prints the steps as JSON.
// Used by bench/peers.sh only. Credentials the flow obtains are dropped before anything is printed.
//
// usage: node oauth-conformance.mjs MCP_URL PROTOCOL_VERSION
import { OAuthConformanceTest } from "@mcpjam/sdk";

const [serverUrl, protocolVersion] = process.argv.slice(2);
if (!serverUrl || !protocolVersion) {
  console.error("usage: node oauth-conformance.mjs MCP_URL PROTOCOL_VERSION");
  process.exit(2);
}

const test = new OAuthConformanceTest({
  serverUrl,
  protocolVersion,
  registrationStrategy: "dcr",
  auth: { mode: "headless" },
  oauthConformanceChecks: true,
  verification: { listTools: true, timeout: 10_000 },
  stepTimeout: 10_000,
});

let result;
try {
  result = await test.run();
} catch (error) {
  console.log(JSON.stringify({ passed: false, crashed: String(error?.message ?? error), steps: [] }));
  process.exit(0);
}
// Only what judges the server: no credentials, no HTTP bodies (which carry tokens).
const steps = result.steps.map((s) => ({
  step: s.step,
  status: s.status,
  error: s.error?.message,
}));
console.log(
  JSON.stringify({
    passed: result.passed,
    summary: result.summary,
    steps,
    verification: result.verification,
  }),
);
