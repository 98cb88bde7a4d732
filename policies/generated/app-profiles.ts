// GENERATED from apps/*/profile.ts, default options, by `npm run gen:policy-pack` (tools/policy-pack-sources.ts):
// edit the source, not this copy. The pack must not import outside policies/ (policy publish).

/**
 * The namespaces each app profile (`velero-dr:profile`, the `velero-dr/profile` label of a Schedule)
 * needs in a backup, with the app's default options (`velero-dr:app` empty).
 */
export const PROFILE_NAMESPACES: Readonly<Record<string, readonly string[]>> = {
  codedx: ["cdx-app", "cdx-svc"],
  "dash-enterprise": ["dash-apps", "dash-services", "plotly-system"],
  eda: ["eda-system"],
  nebari: ["dev"],
};
