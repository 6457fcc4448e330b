// fupin-ledger: Chinese account names on every Fava page (issue 18).
// Beancount account components are ASCII (Assets:Treasury:XJ-2021); the Chinese name lives
// in each open directive's `name:`. Fava shows only the account, so on each page load this
// module puts the Chinese name beside every account link (and as its tooltip), also on
// the trees and journals Fava draws after the page has loaded.

/** @type {Record<string, string>} */
let names = {};
/** @type {MutationObserver | null} */
let observer = null;

function accountOf(link) {
  const path = decodeURIComponent(new URL(link.href, window.location.href).pathname);
  const at = path.indexOf("/account/");
  return at < 0 ? null : path.slice(at + 9).split("/")[0];
}

function decorate(root) {
  for (const link of root.querySelectorAll('a[href*="/account/"]')) {
    if (link.dataset.fupinName) continue;
    const account = accountOf(link);
    const name = account ? names[account] : undefined;
    if (!name) continue;
    link.dataset.fupinName = name;
    link.title = `${name} (${account})`;
    const label = document.createElement("span");
    label.className = "fupin-account-name";
    label.textContent = ` ${name}`;
    label.style.cssText = "color: var(--text-color-lightest, #888); font-size: .9em;";
    link.append(label);
  }
}

export default {
  async init(ctx) {
    names = await ctx.api.get("account_names", {});
  },
  onPageLoad() {
    decorate(document);
    if (observer === null) {
      observer = new MutationObserver(() => decorate(document));
      observer.observe(document.body, { childList: true, subtree: true });
    }
  },
};
