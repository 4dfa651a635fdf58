"""Diagnostic: Zhou et al.'s simulated-data models and training protocol in TensorFlow's Keras,
written for this pipeline from their description (hannahgz/BenchmarkRCStrategies SimArchs.py and
RunSimArchs.py; keras_genomics' RevCompConv1D and RevCompConv1DBatchNorm), trained on a crick
dataset (sequences.npy, labels.npy, split.npy): Keras's own initialisation (Glorot uniform, zero
bias), Adam 1e-3 (eps 1e-7), batch 500, at most EPOCHS epochs, early stopping on validation loss
(patience 10, best weights restored), the weights of the best validation auROC evaluated on the
test split. Batch norm keeps its running statistics as Keras 2.2.4 on TensorFlow 1 did
(zero-debiased moving averages; the unbiased batch variance).

keras_genomics' RevCompConv1D adds its bias as `outputs += K.bias_add(outputs, bias)`, which
doubles the convolution's output; that is kept by default (as Zhou et al. ran
it), `--bias-plain` adds the bias once.

Needs TensorFlow (not a crick dependency): python3 -m venv tfvenv && tfvenv/bin/pip install
tensorflow-cpu==2.15.1 numpy.
usage: tfvenv/bin/python keras_twin.py DATASET STRAND SEED [--epochs 200] [--bias-plain]
       [--patience 10] [--threads 1] [--augment]   (one TSV line per epoch, then the test result)"""
import argparse
import os
import sys

import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument("dataset")
ap.add_argument("strand", choices=["standard", "rc"])
ap.add_argument("seed", type=int)
ap.add_argument("--epochs", type=int, default=200)
ap.add_argument("--patience", type=int, default=10)
ap.add_argument("--bias-plain", action="store_true")
ap.add_argument("--threads", type=int, default=1)
ap.add_argument("--augment", action="store_true", help="AugWithin: every sequence and its reverse complement")
a = ap.parse_args()

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import tensorflow as tf  # noqa: E402

tf.config.threading.set_intra_op_parallelism_threads(a.threads)
tf.config.threading.set_inter_op_parallelism_threads(1)
tf.keras.utils.set_random_seed(a.seed)
K = tf.keras


def auroc(y, p):
    """Mean over tasks of the rank-sum auROC."""
    out = []
    for k in range(y.shape[1]):
        order = np.argsort(p[:, k], kind="mergesort")
        ranks = np.empty(len(order))
        ranks[order] = np.arange(1, len(order) + 1)
        # ties: average ranks
        _, inv, counts = np.unique(p[:, k], return_inverse=True, return_counts=True)
        sums = np.bincount(inv, weights=ranks)
        ranks = (sums / counts)[inv]
        pos = y[:, k] > 0.5
        n1, n0 = pos.sum(), (~pos).sum()
        out.append((ranks[pos].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))
    return float(np.mean(out))


class RCConv(K.layers.Layer):
    """F filters W applied as 2F channels [W, W reversed in width, input channel and filter]."""

    def __init__(self, filters, width, doubled, **kw):
        super().__init__(**kw)
        self.filters, self.width, self.doubled = filters, width, doubled

    def build(self, shape):
        self.kernel = self.add_weight(name="kernel", shape=(self.width, shape[-1], self.filters),
                                      initializer="glorot_uniform")
        self.bias = self.add_weight(name="bias", shape=(self.filters,), initializer="zeros")

    def call(self, x):
        w = tf.concat([self.kernel, self.kernel[::-1, ::-1, ::-1]], axis=-1)  # (k, 4, 2F)
        b = tf.concat([self.bias, self.bias[::-1]], axis=0)                  # (2F)
        y = tf.nn.conv1d(x, w, stride=1, padding="VALID")                    # (N, L', 2F)
        return y + (y + b) if self.doubled else y + b


class DebiasedBN(K.layers.Layer):
    """Batch norm with Keras 2.2.4's statistics; with rc=True shared by the two strands' channels
    (keras_genomics' RevCompConv1DBatchNorm: the reverse half, channel-reversed, stacked on the
    length axis)."""

    def __init__(self, rc, momentum=0.99, epsilon=1e-3, **kw):
        super().__init__(**kw)
        self.rc, self.momentum, self.epsilon = rc, momentum, epsilon

    def build(self, shape):
        c = shape[-1] // 2 if self.rc else shape[-1]
        self.c = c
        self.gamma = self.add_weight(name="gamma", shape=(c,), initializer="ones")
        self.beta = self.add_weight(name="beta", shape=(c,), initializer="zeros")
        z = dict(initializer="zeros", trainable=False)
        self.mean_acc = self.add_weight(name="mean_acc", shape=(c,), **z)
        self.var_acc = self.add_weight(name="var_acc", shape=(c,), **z)
        self.steps = self.add_weight(name="steps", shape=(), **z)

    def call(self, x, training=None):
        if self.rc:
            length = tf.shape(x)[1]
            x = tf.concat([x[:, :, :self.c], x[:, :, self.c:][:, :, ::-1]], axis=1)  # (N, 2L', F)
        if training:
            mean, var = tf.nn.moments(x, axes=[0, 1])
            n = tf.cast(tf.shape(x)[0] * tf.shape(x)[1], x.dtype)
            unbiased = var * n / (n - (1.0 + self.epsilon))
            self.mean_acc.assign(self.mean_acc * self.momentum + mean * (1 - self.momentum))
            self.var_acc.assign(self.var_acc * self.momentum + unbiased * (1 - self.momentum))
            self.steps.assign_add(1.0)
        else:
            debias = 1.0 - tf.pow(self.momentum, tf.maximum(self.steps, 1.0))
            mean, var = self.mean_acc / debias, self.var_acc / debias
        y = tf.nn.batch_normalization(x, mean, var, self.beta, self.gamma, self.epsilon)
        if self.rc:
            y = tf.concat([y[:, :length, :], y[:, length:, :][:, :, ::-1]], axis=2)
        return y


class RCSumPool(K.layers.Layer):
    """Forward channels plus the reverse half reversed in position and channel."""

    def call(self, x):
        c = x.shape[-1] // 2
        return x[:, :, :c] + x[:, :, c:][:, ::-1, ::-1]


def model(strand):
    x = K.Input((1000, 4))
    if strand == "rc":
        h = RCConv(20, 21, doubled=not a.bias_plain)(x)
        h = DebiasedBN(rc=True)(h)
    else:
        h = K.layers.Conv1D(20, 21)(x)
        h = DebiasedBN(rc=False)(h)
    h = K.layers.Activation("relu")(h)
    h = K.layers.MaxPooling1D(20, 20)(h)
    if strand == "rc":
        h = RCSumPool()(h)
    h = K.layers.Flatten()(h)
    out = K.layers.Activation("sigmoid")(K.layers.Dense(3)(h))
    m = K.Model(x, out)
    m.compile(optimizer=K.optimizers.Adam(learning_rate=1e-3, epsilon=1e-7), loss="binary_crossentropy")
    return m


codes = np.load(os.path.join(a.dataset, "sequences.npy"))
labels = np.load(os.path.join(a.dataset, "labels.npy")).astype(np.float32)
split = np.load(os.path.join(a.dataset, "split.npy"))
eye = np.concatenate([np.eye(4, dtype=np.float32), np.zeros((1, 4), np.float32)])
onehot = lambda c: eye[c]  # noqa: E731
xt, yt = onehot(codes[split == 0]), labels[split == 0]
xv, yv = onehot(codes[split == 1]), labels[split == 1]
xs, ys = onehot(codes[split == 2]), labels[split == 2]
if a.augment:
    xt = np.concatenate([xt, xt[:, ::-1, ::-1]])
    yt = np.concatenate([yt, yt])


class Record(K.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.best, self.best_weights, self.best_epoch = 0.0, None, 0

    def on_epoch_end(self, epoch, logs=None):
        p = self.model.predict(xv, batch_size=500, verbose=0)
        au = auroc(yv, p)
        if au > self.best:
            self.best, self.best_weights, self.best_epoch = au, self.model.get_weights(), epoch + 1
        print(f"{epoch + 1}\t{logs['loss']:.6f}\t{logs['val_loss']:.6f}\t{au:.6f}", flush=True)


m = model(a.strand)
print("epoch\ttrain_loss\tvalid_loss\tvalid_auroc", flush=True)
rec = Record()
stop = K.callbacks.EarlyStopping(monitor="val_loss", patience=a.patience, restore_best_weights=True)
m.fit(xt, yt, batch_size=500, epochs=a.epochs, validation_data=(xv, yv), callbacks=[stop, rec], verbose=0,
      shuffle=True)
m.set_weights(rec.best_weights)
p = m.predict(xs, batch_size=500, verbose=0)
print(f"# test auROC {auroc(ys, p):.4f} best valid auROC {rec.best:.4f} at epoch {rec.best_epoch}", flush=True)
sys.exit(0)
