package io.paygate.canonical;

/** MICRO: the merchant scans the buyer's code. SCAN: the buyer scans a QR code. */
public enum PayMethod { MICRO, SCAN, JSAPI, MINIPROGRAM, APP, H5 }
