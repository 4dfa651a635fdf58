"""The `chip` preset of crick in PyTorch, in standard and rc strand modes, with crick's
tensor names and layouts so that crick's safetensors load directly (channels-last input
(B, L, 4), conv weights (out, in, k), RC head (out, L, F))."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class RCConv(nn.Module):
    """Shrikumar's RC convolution: F filters applied as [W, W flipped on out, in and k]."""

    def __init__(self, cin, filters, k):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(filters, cin, k))
        self.bias = nn.Parameter(torch.zeros(filters))
        nn.init.xavier_uniform_(self.weight)

    def forward(self, x):
        w = torch.cat([self.weight, self.weight.flip(0, 1, 2)], dim=0)
        b = torch.cat([self.bias, self.bias.flip(0)])
        return F.conv1d(x, w, b)


class RCBatchNorm(nn.Module):
    """Batch norm whose statistics and affine parameters are shared by channel f and 2F-1-f."""

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
    """DenseAfterRevcompConv1D: weights (out, L, F) shared by a position/filter and its RC."""

    def __init__(self, length, filters, out):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(out, length, filters))
        self.bias = nn.Parameter(torch.zeros(out))
        nn.init.xavier_uniform_(self.weight.view(out, -1))

    def forward(self, x):  # x (B, 2F, L)
        xl = x.transpose(1, 2)
        f = xl.shape[2] // 2
        s = xl[:, :, :f] + xl[:, :, f:].flip(1, 2)
        return torch.einsum("blf,olf->bo", s, self.weight) + self.bias


class Chip(nn.Module):
    """3 x [conv 16 (15, 14, 14), batch norm, ReLU], max-pool 40/20, dense (Zhou et al. 2021)."""

    def __init__(self, strand="rc", outputs=1, length=1000):
        super().__init__()
        self.rc = strand == "rc"
        cin = 4
        L = length
        for i, k in enumerate([15, 14, 14], start=1):
            if self.rc:
                setattr(self, f"conv{i}", RCConv(cin, 16, k))
                setattr(self, f"bn{i}", RCBatchNorm(32))
                cin = 32
            else:
                setattr(self, f"conv{i}", nn.Conv1d(cin, 16, k))
                setattr(self, f"bn{i}", nn.BatchNorm1d(16, eps=1e-3, momentum=0.01))
                cin = 16
            L = L - k + 1
        L = (L - 40) // 20 + 1
        self.dense1 = RCHead(L, 16, outputs) if self.rc else nn.Linear(L * 16, outputs)

    def forward(self, x):  # x (B, L, 4)
        x = x.transpose(1, 2)
        for i in (1, 2, 3):
            x = F.relu(getattr(self, f"bn{i}")(getattr(self, f"conv{i}")(x)))
        x = F.max_pool1d(x, 40, 20)
        if self.rc:
            return self.dense1(x)
        return self.dense1(x.transpose(1, 2).reshape(x.shape[0], -1))

    def load_crick(self, tensors):
        """Loads a crick safetensors dict (names as crick writes them)."""
        own = {}
        for name, value in tensors.items():
            if self.rc and name.startswith("bn"):
                i, field = name.split(".", 1)
                own[f"{i}.bn.{field}"] = value
            elif not self.rc and name == "dense1.weight":
                # crick's Linear is over channels-last flattening (L, C); torch's here too.
                own[name] = value
            else:
                own[name] = value
        missing = self.load_state_dict(own, strict=False)
        assert not [m for m in missing.missing_keys if "num_batches" not in m], missing
