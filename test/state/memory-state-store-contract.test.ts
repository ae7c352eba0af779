import { MemoryStateStore } from "../../runtime/state/index.js";
import { describeStateStoreContract } from "./support/state-store-contract.js";

describeStateStoreContract("MemoryStateStore", async (clock) => new MemoryStateStore({ clock }));
