// A random alphanumeric secret generated once and kept in Pulumi state (encrypted), through a
// dynamic provider: no extra provider plugin to build. Alphanumeric so it can sit in a URL.
import * as pulumi from "@pulumi/pulumi";

export interface RandomSecretArgs {
  /**
   * Number of characters.
   * @default 32
   */
  readonly length?: number;
}

interface RandomSecretInputs {
  length: number;
}

// Serialized by Pulumi's closure serializer: it must only use globals (webcrypto is global in Node 20).
const provider: pulumi.dynamic.ResourceProvider = {
  create(inputs: RandomSecretInputs) {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let value = "";
    while (value.length < inputs.length) {
      for (const b of globalThis.crypto.getRandomValues(new Uint8Array(64))) {
        if (value.length >= inputs.length) break;
        // Rejection sampling keeps every character equally likely (248 = 4 * 62). The first
        // character is a letter: NATS reads an all-digit variable (or digits + K/M/G) as a number.
        const letterFirst = value.length === 0;
        if (letterFirst ? b < 208 : b < 248) value += alphabet[b % (letterFirst ? 52 : 62)];
      }
    }
    return Promise.resolve({
      id: globalThis.crypto.randomUUID(),
      outs: { length: inputs.length, value },
    });
  },
  diff(_id: string, olds: RandomSecretInputs, news: RandomSecretInputs) {
    const changed = olds.length !== news.length;
    return Promise.resolve({ changes: changed, replaces: changed ? ["length"] : [] });
  },
};

export class RandomSecret extends pulumi.dynamic.Resource {
  /** The generated value; a Pulumi secret. */
  declare public readonly value: pulumi.Output<string>;

  constructor(name: string, args: RandomSecretArgs = {}, opts?: pulumi.CustomResourceOptions) {
    super(
      provider,
      name,
      { length: args.length ?? 32, value: undefined },
      pulumi.mergeOptions(opts, { additionalSecretOutputs: ["value"] }),
      "kgents",
      "RandomSecret",
    );
  }
}
