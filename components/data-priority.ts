// The data tier's PriorityClass (lib/priority-class), owned by the program so that no ordinary
// workload can preempt the NATS and Redis pods.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { dataPriorityClass } from "../lib/priority-class";
import { DEFAULT_NAMESPACE_PREFIX } from "../lib/topology";
import { args } from "./manifest";

export interface DataPriorityArgs {
  /**
   * The class is `<prefix>-data` (cluster-scoped: one per stack on a shared cluster).
   * @default "kgents"
   */
  readonly prefix?: string;
}

export class DataPriority extends pulumi.ComponentResource {
  /** Name of the PriorityClass, for the pods' priorityClassName. */
  public readonly className: pulumi.Output<string>;
  /** The PriorityClass, for dependsOn (pods naming a missing class are rejected). */
  public readonly priorityClass: k8s.scheduling.v1.PriorityClass;

  constructor(name: string, a: DataPriorityArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("kgents:components:DataPriority", name, {}, opts);
    const manifest = dataPriorityClass(a.prefix ?? DEFAULT_NAMESPACE_PREFIX);
    this.priorityClass = new k8s.scheduling.v1.PriorityClass(`${name}-class`, args(manifest), {
      parent: this,
    });
    this.className = this.priorityClass.metadata.name;
    this.registerOutputs({ className: this.className });
  }
}
