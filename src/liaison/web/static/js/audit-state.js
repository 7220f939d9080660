// The audit page's state, shared by its modules: audit.js (the page and its session),
// audit-verify.js (the signed head, the key and Verify) and audit-entries.js (the entries).

export const state = {
  who: null,
  key: null, // GET /audit/key
  head: null, // the head shown
  verifiedHead: null, // the head whose signature verified in this page
  pages: [Infinity], // the `end` (exclusive index) of each page visited, the current one last
  shown: [], // the entries on screen, newest first
  verifying: false,
};
window.liaison = Object.assign(window.liaison || {}, { audit: state });
