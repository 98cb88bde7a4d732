import { main } from "@pulumi/pulumi/provider";
import { VeleroDrComponentProvider } from "./provider";

/**
 * Entry point of the component package (package.json `main`): the Node.js language host's
 * run-plugin loads it and it serves the provider on the engine's behalf — the explicit
 * registration form of Pulumi's TypeScript component packages (componentProviderHost), with the
 * provider subclass that marks secret inputs. Nothing is exported: an exported component class
 * would also be picked up by run-plugin's automatic discovery, which starts a second host.
 */
void main(new VeleroDrComponentProvider({ dirname: __dirname }), process.argv.slice(2));
