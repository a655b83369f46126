import { DynamicModule, Module } from '@nestjs/common';
import { AdmissionController } from './admission/admission.controller';
import { AdmissionService } from './admission/admission.service';

/** The webhook is no subgraph: it answers the Kubernetes API server only. */
@Module({})
export class AppModule {
  static forRoot(platform: DynamicModule): DynamicModule {
    return { module: AppModule, imports: [platform], controllers: [AdmissionController], providers: [AdmissionService] };
  }
}
