import { AppRegistry } from "../components/apps/definition";
import { codedxApp } from "./codedx";
import { dashEnterpriseApp } from "./dash-enterprise";
import { edaApp } from "./eda";
import { nebariApp } from "./nebari";

/**
 * Every application the program knows, by config name (`velero-dr:profile`). Adding an app is
 * adding its folder and one line here.
 */
export const apps: AppRegistry = {
  "dash-enterprise": dashEnterpriseApp,
  codedx: codedxApp,
  nebari: nebariApp,
  eda: edaApp,
};
