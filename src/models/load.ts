/**
 * loadModel: whichever model a folder holds. The imports below load every saveable class,
 * and each registers its loader as it loads (see registerModel in src/io/model.ts), so
 * loadModel knows them all whatever the caller imported.
 */
import { loadSaved } from "../io/model.js";
import type { Sequential } from "../train/sequential.js";
import "../train/sequential.js";
import type { Autoencoder } from "./autoencoders/autoencoder.js";
import "./autoencoders/autoencoder.js";
import type { BimodalAutoencoder } from "./autoencoders/bimodal.js";
import "./autoencoders/bimodal.js";
import type { DeepAutoencoder } from "./autoencoders/deep.js";
import "./autoencoders/deep.js";
import type { UnrolledAutoencoder } from "./autoencoders/encoder-decoder.js";
import "./autoencoders/encoder-decoder.js";
import type { MaskedAutoencoder } from "./autoencoders/mae.js";
import "./autoencoders/mae.js";
import type { SeqAutoencoder } from "./autoencoders/seq-autoencoder.js";
import "./autoencoders/seq-autoencoder.js";
import type { StackedAutoencoder } from "./autoencoders/stacked.js";
import "./autoencoders/stacked.js";
import type { VAE } from "./autoencoders/vae.js";
import "./autoencoders/vae.js";
import type { BoltzmannMachine } from "./boltzmann/boltzmann.js";
import "./boltzmann/boltzmann.js";
import type { LVQ } from "./competitive/lvq.js";
import "./competitive/lvq.js";
import type { SOM } from "./competitive/som.js";
import "./competitive/som.js";
import type { WinnerTakeAll } from "./competitive/wta.js";
import "./competitive/wta.js";
import type { DBM } from "./dbm/dbm.js";
import "./dbm/dbm.js";
import type { DBN } from "./dbn/dbn.js";
import "./dbn/dbn.js";
import type { BAM } from "./hopfield/bam.js";
import "./hopfield/bam.js";
import type { Hopfield } from "./hopfield/hopfield.js";
import "./hopfield/hopfield.js";
import type { PCA } from "./pca/pca.js";
import "./pca/pca.js";
import type { Perceptron } from "./perceptron/perceptron.js";
import "./perceptron/perceptron.js";
import type { RBM } from "./rbm/rbm.js";
import "./rbm/rbm.js";
import type { CharLM } from "./recurrent/char-lm.js";
import "./recurrent/char-lm.js";

/** Every class of layerwise that saveModel writes and loadModel reads back. */
export type SavedModelClass =
  | Sequential
  | Autoencoder
  | RBM
  | DBN
  | DBM
  | Hopfield
  | BoltzmannMachine
  | BAM
  | Perceptron
  | PCA
  | StackedAutoencoder
  | BimodalAutoencoder
  | DeepAutoencoder
  | UnrolledAutoencoder
  | MaskedAutoencoder
  | SeqAutoencoder
  | VAE
  | LVQ
  | WinnerTakeAll
  | SOM
  | CharLM;

/**
 * Loads the model saved in dir: a folder with model.json + model.safetensors, or one an older
 * layerwise wrote. Narrow it with instanceof (or use loadSequential, loadRbm, loadDbn,
 * loadDbm). A loaded Sequential comes back compiled, with its optimiser's state when it was
 * saved; an RBM or DBM with its momentum and persistent chains, ready to resume fit.
 */
export async function loadModel(dir: string): Promise<SavedModelClass> {
  return (await loadSaved(dir)) as SavedModelClass;
}
