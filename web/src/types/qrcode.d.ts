// The part of `qrcode` the pages use. @types/qrcode pulls in Node's types, which would make every Node
// global look available to browser code; tsconfig.browser.json maps `qrcode` here instead.
declare const QRCode: {
  toDataURL(text: string, options?: { margin?: number; width?: number }): Promise<string>;
};
export default QRCode;
