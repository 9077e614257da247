import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
const r = new SchemaRegistry({ host: 'http://127.0.0.1:1' });
try { await r.decode(Buffer.from([0,0,0,0,9,1,2,3])); } catch (e: any) { console.log(e.constructor.name, e.status, e.message); }
const r2 = new SchemaRegistry({ host: 'http://127.0.0.1:8081/apis/ccompat/v7' });
try { await r2.decode(Buffer.from([0,0x7f,0,0,9,1,2,3])); } catch (e: any) { console.log(e.constructor.name, e.status, e.message); }
