"""crick's models in PyTorch, built from the architecture JSON that every crick model file
carries, with crick's tensor names and layouts, so that crick's safetensors load directly.
Input: one-hot channels-last (B, L, 4); conv weights (out, in, k); dense (out, in);
DenseAfterRevcompConv1D (out, L, F); RC layers as in Shrikumar et al. 2017."""
import json
import struct

import torch
import torch.nn as nn
import torch.nn.functional as F


class RCConv(nn.Module):
    def __init__(self, cin, filters, k, padding, bias):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(filters, cin, k))
        self.bias = nn.Parameter(torch.zeros(filters)) if bias else None
        self.padding = padding
        nn.init.xavier_uniform_(self.weight)

    def forward(self, x):
        w = torch.cat([self.weight, self.weight.flip(0, 1, 2)], dim=0)
        b = torch.cat([self.bias, self.bias.flip(0)]) if self.bias is not None else None
        return F.conv1d(x, w, b, padding=self.padding)


class RCBatchNorm(nn.Module):
    """Statistics and affine parameters shared by channel f and 2F-1-f (over both strands)."""

    def __init__(self, channels):
        super().__init__()
        self.f = channels // 2
        self.bn = nn.BatchNorm1d(self.f, eps=1e-3, momentum=0.01)

    def forward(self, x):
        L = x.shape[2]
        z = torch.cat([x[:, : self.f], x[:, self.f:].flip(1)], dim=2)
        z = self.bn(z)
        return torch.cat([z[..., :L], z[..., L:].flip(1)], dim=1)


class RCHead(nn.Module):
    """DenseAfterRevcompConv1D on a (2F, L) map: weights (out, L, F)."""

    def __init__(self, length, filters, out, bias):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(out, length, filters))
        self.bias = nn.Parameter(torch.zeros(out)) if bias else None

    def forward(self, x):
        xl = x.transpose(1, 2)
        f = xl.shape[2] // 2
        y = torch.einsum("blf,olf->bo", xl[:, :, :f] + xl[:, :, f:].flip(1, 2), self.weight)
        return y + self.bias if self.bias is not None else y


class WeightedSum(nn.Module):
    def __init__(self, length, channels, tied):
        super().__init__()
        self.tied = tied
        self.weight = nn.Parameter(torch.empty(length, channels // 2 if tied else channels))

    def forward(self, x):  # (B, C, L) -> (B, C)
        w = torch.cat([self.weight, self.weight.flip(0, 1)], dim=1) if self.tied else self.weight
        return torch.einsum("bcl,lc->bc", x, w)


class TiedDense(nn.Module):
    """DenseAfterRevcompWeightedSum: weights (out, F) used for feature c and 2F-1-c."""

    def __init__(self, channels, out, bias):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(out, channels // 2))
        self.bias = nn.Parameter(torch.zeros(out)) if bias else None

    def forward(self, x):
        return F.linear(x, torch.cat([self.weight, self.weight.flip(1)], dim=1), self.bias)


class ProfileHead(nn.Module):
    """crick's profilehead on a (C, L) map: profile logits of the central P positions from a
    valid convolution of the central P + k - 1 (an RC convolution of T filters whose channel t
    and 2T-1-t are summed when tied), and log counts from the mean over L by a dense layer (an
    RCHead of length 1 when tied). Output (B, P * T + T): the (P, T) profile, then T counts."""

    def __init__(self, length, channels, tasks, profile, k, tied):
        super().__init__()
        self.tasks, self.p, self.k, self.tied = tasks, profile, k, tied
        self.start = (length - (profile + k - 1)) // 2
        self.profile = RCConv(channels, tasks, k, "valid", True) if tied else nn.Conv1d(channels, tasks, k)
        self.count = RCHead(1, channels // 2, tasks, True) if tied else nn.Linear(channels, tasks)

    def forward(self, x):  # (B, C, L)
        t = self.tasks
        y = self.profile(x[:, :, self.start:self.start + self.p + self.k - 1])  # (B, T or 2T, P)
        if self.tied:
            y = y[:, :t] + y[:, t:].flip(1)
        c = self.count(x.mean(dim=2, keepdim=True)) if self.tied else self.count(x.mean(dim=2))
        return torch.cat([y.transpose(1, 2).reshape(x.shape[0], -1), c], dim=1)


def reverse_profiles(y, profile, tasks):
    """Reverses the profile positions of outputs (B, P * T + T), counts untouched."""
    prof = y[:, :profile * tasks].reshape(y.shape[0], profile, tasks).flip(1).reshape(y.shape[0], -1)
    return torch.cat([prof, y[:, profile * tasks:]], dim=1)


def profile_loss(out, y, profile, tasks, count_weight):
    """BPNet's loss as crick defines it: the multinomial NLL of each task's profile (softmax
    over P), plus count_weight x the MSE of log counts against log(1 + total); means over
    (B, T). out (B, P * T + T); y (B, P, T) observed counts."""
    b = out.shape[0]
    logp = torch.log_softmax(out[:, :profile * tasks].reshape(b, profile, tasks), dim=1)
    n = y.sum(dim=1)
    ll = torch.lgamma(n + 1) - torch.lgamma(y + 1).sum(dim=1) + (y * logp).sum(dim=1)
    mse = ((out[:, profile * tasks:] - torch.log1p(n)) ** 2).mean()
    return -ll.mean() + count_weight * mse


ACTIVATIONS = {"relu": F.relu, "exponential": torch.exp, "sigmoid": torch.sigmoid, "tanh": torch.tanh,
               "softplus": F.softplus, "elu": F.elu, "linear": lambda x: x}


class CrickModel(nn.Module):
    def __init__(self, arch):
        super().__init__()
        self.arch = arch
        self.strand = arch["strand"]
        rc = self.strand == "rc"
        self.ops = []
        shape = [arch["inputLength"], 4]  # (L, C) or [features]
        rc_map, pending_flatten, after_ws = rc, False, False
        counts = {}
        last_dense = max((i for i, l in enumerate(arch["layers"]) if l["type"] == "dense"), default=-1)
        self.profile = None

        def name(base):
            counts[base] = counts.get(base, 0) + 1
            return f"{base}{counts[base]}"

        for i, spec in enumerate(arch["layers"]):
            t = spec["type"]
            if t == "conv":
                n, k, f = name("conv"), spec["kernel"], spec["filters"]
                pad = spec.get("padding", "valid")
                bias = spec.get("bias", True)
                if rc:
                    m = RCConv(shape[1], f, k, pad, bias)
                    shape = [shape[0] if pad == "same" else shape[0] - k + 1, 2 * f]
                else:
                    m = nn.Conv1d(shape[1], f, k, padding=pad, bias=bias)
                    shape = [shape[0] if pad == "same" else shape[0] - k + 1, f]
                self.add_module(n, m)
                self.ops.append(("module", n))
            elif t == "batchnorm":
                n = name("bn")
                if rc_map and len(shape) == 2:
                    self.add_module(n, RCBatchNorm(shape[1]))
                else:
                    self.add_module(n, nn.BatchNorm1d(shape[-1], eps=1e-3, momentum=0.01))
                self.ops.append(("module", n))
            elif t == "activation":
                self.ops.append(("act", spec.get("function", "relu")))
            elif t == "dropout":
                pass
            elif t == "maxpool":
                p, s = spec.get("pool", 2), spec.get("stride") or spec.get("pool", 2)
                if spec.get("padding", "valid") == "same":
                    lout = (shape[0] + s - 1) // s
                    total = max((lout - 1) * s + p - shape[0], 0)
                    self.ops.append(("pool_same", (p, s, total // 2, total - total // 2)))
                    shape = [lout, shape[1]]
                else:
                    self.ops.append(("pool", (p, s)))
                    shape = [(shape[0] - p) // s + 1, shape[1]]
            elif t == "flatten":
                if rc_map and len(shape) == 2:
                    pending_flatten = True
                    continue
                self.ops.append(("flatten", None))
                shape = [shape[0] * shape[1]]
            elif t in ("globalmaxpool", "globalavgpool"):
                if rc_map and len(shape) == 2:
                    self.ops.append(("rcsum", None))
                    shape = [shape[0], shape[1] // 2]
                    rc_map = False
                self.ops.append((t, None))
                shape = [shape[1]]
            elif t == "rcsumpool":
                self.ops.append(("rcsum", None))
                shape = [shape[0], shape[1] // 2]
                rc_map = False
            elif t == "weightedsum":
                n = name("weightedsum")
                self.add_module(n, WeightedSum(shape[0], shape[1], rc_map))
                self.ops.append(("module", n))
                after_ws, rc_map = rc_map, False
                shape = [shape[1]]
            elif t == "profilehead":
                n = name("head")
                self.add_module(n, ProfileHead(shape[0], shape[1], arch["outputs"], spec["profile"], spec["kernel"], rc_map))
                self.ops.append(("module", n))
                self.profile = spec["profile"]
                shape = [(spec["profile"] + 1) * arch["outputs"]]
            elif t == "dense":
                n = name("dense")
                units = arch["outputs"] if i == last_dense else spec["units"]
                bias = spec.get("bias", True)
                if after_ws:
                    m, after_ws = TiedDense(shape[0], units, bias), False
                elif pending_flatten:
                    m, pending_flatten, rc_map = RCHead(shape[0], shape[1] // 2, units, bias), False, False
                else:
                    m = nn.Linear(shape[0], units, bias=bias)
                self.add_module(n, m)
                self.ops.append(("module", n))
                shape = [units]

    def trunk(self, x):  # x (B, L, 4)
        x = x.transpose(1, 2)  # (B, C, L)
        for kind, arg in self.ops:
            if kind == "module":
                m = getattr(self, arg)
                x = m(x)
            elif kind == "act":
                x = ACTIVATIONS[arg](x)
            elif kind == "pool":
                x = F.max_pool1d(x, arg[0], arg[1])
            elif kind == "pool_same":
                p, s, left, right = arg
                x = F.max_pool1d(F.pad(x, (left, right), value=float("-inf")), p, s)
            elif kind == "flatten":
                x = x.transpose(1, 2).reshape(x.shape[0], -1)  # channels-last flattening, as crick
            elif kind == "rcsum":
                f = x.shape[1] // 2
                x = x[:, :f] + x[:, f:].flip(1, 2)
            elif kind == "globalmaxpool":
                x = x.amax(dim=2)
            elif kind == "globalavgpool":
                x = x.mean(dim=2)
        return x

    def forward(self, x):
        y = self.trunk(x)
        if self.strand == "conjoined" and not self.training:
            r = self.trunk(x.flip(1, 2))
            if self.profile is not None:
                r = reverse_profiles(r, self.profile, self.arch["outputs"])
            y = (y + r) / 2
        return y

    def load_crick(self, tensors):
        own = {}
        for name, value in tensors.items():
            base, _, field = name.partition(".")
            module = getattr(self, base, None)
            if isinstance(module, RCBatchNorm):
                own[f"{base}.bn.{field}"] = value
            else:
                own[name] = value
        result = self.load_state_dict(own, strict=False)
        missing = [m for m in result.missing_keys if "num_batches" not in m]
        assert not missing and not result.unexpected_keys, (missing, result.unexpected_keys)


def from_file(tensors, meta):
    model = CrickModel(json.loads(meta["architecture"]))
    model.load_crick(tensors)
    return model.eval()


def chip(strand, outputs=1, length=1000):
    """The chip preset as crick defines it (for timing without a model file)."""
    layers = []
    for k in (15, 14, 14):
        layers += [{"type": "conv", "filters": 16, "kernel": k, "padding": "valid", "bias": True},
                   {"type": "batchnorm"}, {"type": "activation", "function": "relu"}]
    layers += [{"type": "maxpool", "pool": 40, "stride": 20, "padding": "valid"}, {"type": "flatten"}, {"type": "dense", "units": outputs}]
    return CrickModel({"name": "chip", "inputLength": length, "outputs": outputs, "strand": strand, "layers": layers})


def load_safetensors(path):
    """The float32 tensors of a crick model file and its metadata (the format read directly:
    8-byte header length, JSON header, raw little-endian data)."""
    import numpy as np
    raw = open(path, "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    meta = header.pop("__metadata__", {})
    out = {}
    for name, info in header.items():
        a, b = info["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(raw[8 + n + a:8 + n + b], dtype="<f4").reshape(info["shape"]).copy())
    return out, meta
