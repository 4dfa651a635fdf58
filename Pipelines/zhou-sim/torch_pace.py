"""Diagnostic: the zhou-sim model trained by PyTorch from crick's initial weights on this
pipeline's dataset (out/ds), Adam 1e-3 (eps 1e-7, Keras's), batch 500, no augmentation; per epoch
the training loss, the validation loss and mean auROC with batch norm's running statistics, and
the mean auROC with batch statistics. Compares PyTorch's learning pace with crick's runs.
usage: /usr/bin/python3 torch_pace.py STRAND SEED EPOCHS [CRICK]  (prints a TSV to stdout)"""
import os, sys, subprocess, numpy as np, torch
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "Benchmarks", "nn"))
from torch_models import from_file, load_safetensors
from scipy.stats import rankdata
def roc_auc_score(y, p):
    r = rankdata(p); pos = y > 0.5; n1 = pos.sum(); n0 = len(y) - n1
    return (r[pos].sum() - n1 * (n1 + 1) / 2) / (n1 * n0)
torch.set_num_threads(1)
strand, seed, epochs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ds = os.path.join(HERE, "out", "ds")
crick = sys.argv[4] if len(sys.argv) > 4 else os.path.join(HERE, "..", "..", ".build", "release", "crick")
path = os.path.join(HERE, "out", f"torch-init-{strand}-{seed}.safetensors")
subprocess.run([crick, "model", "init", "--preset", "zhou-sim", "--strand", strand, "--outputs", "3", "--seed", str(seed), "-o", path], check=True)
t, m = load_safetensors(path)
model = from_file(t, m)
x = np.load(ds + "/sequences.npy"); y = np.load(ds + "/labels.npy").astype(np.float32); s = np.load(ds + "/split.npy")
def onehot(c):
    return torch.nn.functional.one_hot(torch.from_numpy(c.astype(np.int64)), 5)[..., :4].float()
xt, yt = x[s == 0], torch.from_numpy(y[s == 0]); xv, yv = onehot(x[s == 1]), y[s == 1]
opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
lossf = torch.nn.BCEWithLogitsLoss()
g = np.random.default_rng(seed)
for e in range(1, epochs + 1):
    model.train()
    order = g.permutation(len(xt)); tot = 0
    for b in range(0, len(order), 500):
        idx = order[b:b + 500]
        opt.zero_grad(); l = lossf(model(onehot(xt[idx])), yt[idx]); l.backward(); opt.step(); tot += l.item() * len(idx)
    with torch.no_grad():
        model.eval(); pe = torch.sigmoid(model(xv)).numpy()
        model.train(); pt = torch.cat([torch.sigmoid(model(xv[i:i + 500])) for i in range(0, len(xv), 500)]).numpy()
    au = lambda p: np.mean([roc_auc_score(yv[:, k], p[:, k]) for k in range(3)])
    vl = float(torch.nn.functional.binary_cross_entropy(torch.from_numpy(pe), torch.from_numpy(yv)))
    print(f"{e}\t{tot / len(xt):.4f}\t{vl:.4f}\t{au(pe):.4f}\t{au(pt):.4f}", flush=True)
