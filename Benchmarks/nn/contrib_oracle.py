"""Contribution scores of crick's models computed by the Python tools, for comparison with
`crick attribute --method deepliftshap|integrated-gradients`.

The PyTorch twin of a crick model (torch_models.py) applies its activations and pools as
functions; tangermeme's DeepLIFT/SHAP corrects modules only, so `Hookable` runs the twin's
operations with an activation or pooling module at each place (nn.ReLU, an `Exp` module
registered with tangermeme's rescale rule, nn.MaxPool1d). Linear parts are the twin's own.

usage: contrib_oracle.py deepliftshap|integrated-gradients MODEL OHE.npy REFS.npy TASK
                         AVERAGE(0|1) STEPS OUT.npy
OHE.npy: float32 (N, 4, L) one-hot sequences (crick's PREFIX.ohe.npy); REFS.npy: uint8 (N, R, L)
base codes. OUT.npy: float32 (N, 4, L)
hypothetical contributions (deepliftshap: averaged over the R references; integrated gradients:
from the first reference, midpoint rule with STEPS points).
"""
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_models import from_file, load_safetensors  # noqa: E402


class Exp(nn.Module):
    def forward(self, x):
        return torch.exp(x)


class Linear(nn.Module):
    def forward(self, x):
        return x


MODULES = {"relu": nn.ReLU, "exponential": Exp, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh,
           "softplus": nn.Softplus, "elu": nn.ELU, "linear": Linear}


class Hookable(nn.Module):
    """The twin with one module per activation and pool; input (B, 4, L), logits out. With
    `average`, the mean of the logits of x and its reverse complement."""

    def __init__(self, twin, average):
        super().__init__()
        self.twin = twin
        self.average = average or twin.strand == "conjoined"
        self.ops = nn.ModuleList()
        for kind, arg in twin.ops:
            if kind == "act":
                self.ops.append(MODULES[arg]())
            elif kind == "pool":
                self.ops.append(nn.MaxPool1d(arg[0], arg[1]))
            elif kind == "pool_same":
                p, s, left, right = arg
                self.ops.append(nn.Sequential(nn.ConstantPad1d((left, right), float("-inf")), nn.MaxPool1d(p, s)))
            elif kind in ("globalmaxpool",):
                raise SystemExit("global max pooling is not in the oracle")
            else:
                self.ops.append(Linear())

    def trunk(self, x):  # (B, L, 4)
        x = x.transpose(1, 2)
        for (kind, arg), op in zip(self.twin.ops, self.ops):
            if kind == "module":
                x = getattr(self.twin, arg)(x)
            elif kind in ("act", "pool", "pool_same"):
                x = op(x)
            elif kind == "flatten":
                x = x.transpose(1, 2).reshape(x.shape[0], -1)
            elif kind == "rcsum":
                f = x.shape[1] // 2
                x = x[:, :f] + x[:, f:].flip(1, 2)
            elif kind == "globalavgpool":
                x = x.mean(dim=2)
        return x

    def forward(self, x):  # (B, 4, L)
        x = x.transpose(1, 2)
        y = self.trunk(x)
        if self.average:
            y = (y + self.trunk(x.flip(1, 2))) / 2
        return y


def one_hot(codes):  # (..., L) uint8 -> (..., 4, L) float32, N a zero column
    x = F.one_hot(torch.from_numpy(codes.astype(np.int64)), 5)[..., :4].float()
    return x.transpose(-1, -2).contiguous()


def main():
    method, model_path, ohe_path, refs_path, task, average, steps, out = sys.argv[1:9]
    torch.set_num_threads(1)
    tensors, meta = load_safetensors(model_path)
    model = Hookable(from_file(tensors, meta).eval(), average == "1").eval()
    x = torch.from_numpy(np.load(ohe_path))   # (N, 4, L)
    refs = one_hot(np.load(refs_path))        # (N, R, 4, L)
    task = int(task)
    if method == "deepliftshap":
        from tangermeme.deep_lift_shap import deep_lift_shap
        from tangermeme._deep_lift_utils import _nonlinear
        hyp = deep_lift_shap(model, x, target=task, references=refs, hypothetical=True, batch_size=refs.shape[1],
                             additional_nonlinear_ops={Exp: _nonlinear},
                             warning_threshold=1e9)
    else:
        s = int(steps)
        hyp = torch.zeros_like(x)
        for i in range(x.shape[0]):
            b = refs[i, 0]
            alphas = (torch.arange(s, dtype=torch.float32) + 0.5) / s
            z = (b[None] + alphas[:, None, None] * (x[i] - b)[None]).requires_grad_()
            g = torch.autograd.grad(model(z)[:, task].sum(), z)[0].mean(dim=0)   # (4, L)
            hyp[i] = g - (b * g).sum(dim=0, keepdim=True)
    np.save(out, hyp.detach().numpy().astype(np.float32))


if __name__ == "__main__":
    main()
