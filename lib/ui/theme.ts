// Light or dark: the person's choice, remembered per browser (localStorage), or the
// system's (prefers-color-scheme) until they choose. Pure, plus the few lines that run
// in <head> before the first paint so a dark page never flashes white.

export const THEME_CHOICES = ["system", "light", "dark"] as const;
export type ThemeChoice = (typeof THEME_CHOICES)[number];
export type Theme = "light" | "dark";

export const THEME_STORAGE_KEY = "gatewarden-theme";
/** Sent on window when the choice changes, so open components (the map) follow it. */
export const THEME_EVENT = "gatewarden-theme";

export function parseThemeChoice(value: unknown): ThemeChoice {
  return (THEME_CHOICES as readonly unknown[]).includes(value) ? (value as ThemeChoice) : "system";
}

export function resolveTheme(choice: ThemeChoice, systemPrefersDark: boolean): Theme {
  if (choice === "system") return systemPrefersDark ? "dark" : "light";
  return choice;
}

/**
 * Sets <html data-theme> from the stored choice before anything is drawn, and follows
 * the system while the choice is "system". Inlined into the page head: no imports, and
 * a broken localStorage (privacy mode) falls back to the system.
 */
export const themeBootScript = `(function(){var k=${JSON.stringify(THEME_STORAGE_KEY)};var m=window.matchMedia("(prefers-color-scheme: dark)");function c(){try{var v=localStorage.getItem(k);return v==="light"||v==="dark"?v:"system"}catch(e){return"system"}}function a(){var v=c();document.documentElement.dataset.theme=v==="system"?(m.matches?"dark":"light"):v;document.documentElement.dataset.themeChoice=v}a();m.addEventListener("change",a);window.addEventListener(${JSON.stringify(THEME_EVENT)},a)})();`;
