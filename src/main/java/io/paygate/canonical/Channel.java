package io.paygate.canonical;

/** The buyer's wallet, for aggregators that serve several. */
public enum Channel { WECHAT, ALIPAY, QQ, BESTPAY }
