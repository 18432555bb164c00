import Provider from 'oidc-provider';
const port = Number(process.argv[2]);
const issuer = `http://localhost:${port}`;
const provider = new Provider(issuer, {
  clients: [{ client_id: 'authspec-interop', redirect_uris: ['http://localhost/cb'], token_endpoint_auth_method: 'none' }],
  features: { registration: { enabled: true } },
});
provider.listen(port, '127.0.0.1', () => console.log(`Issuer: ${issuer}`));
