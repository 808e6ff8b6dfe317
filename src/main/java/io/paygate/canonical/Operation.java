package io.paygate.canonical;

public enum Operation { PAY, QUERY, CLOSE, REVERSE, REFUND, REFUND_QUERY }
